Feature: What the create call gets when the request leaves things out
  Nova Grizzly's run_instances fills in what the client did not send before it calls
  compute_api.create: block_device_mapping defaults to an empty dict {} (not a list),
  the instance type to m1.small, max_count to min_count, and every other argument to None.

  Background:
    Given the default seed

  Scenario: A launch with only an image id
    When I launch the image "ami-00000001"
    Then the launch succeeds
    And there is 1 create call
    And the create call has "block_device_mapping" equal to {}
    And the create call's "instance_type" name is "m1.small"
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"
    And the create call has "min_count" equal to 1
    And the create call has "max_count" equal to 1
    And the create call has "kernel_id" equal to null
    And the create call has "ramdisk_id" equal to null
    And the create call has "key_name" equal to null
    And the create call has "user_data" equal to null
    And the create call has "security_group" equal to null
    And the create call has "availability_zone" equal to null
    And the create call satisfies the schema
    And the response has 1 instance
    And every instance in the response has "imageId" equal to "ami-00000001"
    And every instance in the response has "instanceType" equal to "m1.small"
    And every instance in the response has "placement" equal to {"availabilityZone": "nova"}

  Scenario: The shipped seed file gives the same store as the default seed
    Given the seed file "fixtures/seed/default.json"
    When I launch the image "ami-00000001"
    Then the launch succeeds
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"

  Scenario: max_count defaults to min_count
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 3}
      """
    Then the launch succeeds
    And the create call has "min_count" equal to 3
    And the create call has "max_count" equal to 3
    And the response has 3 instances

  Scenario: Every argument given is passed on to compute
    When I launch with:
      """
      {"image_id": "ami-00000001", "kernel_id": "aki-00000002", "ramdisk_id": "ari-00000003",
       "min_count": 2, "max_count": 3, "instance_type": "m1.tiny", "key_name": "mykey",
       "user_data": "aGVsbG8=", "security_group": ["default", "web"],
       "placement": {"availability_zone": "zone-a"}}
      """
    Then the launch succeeds
    And the create call's "instance_type" name is "m1.tiny"
    And the create call has "kernel_id" equal to "155d900f-4e14-4e4c-a73d-069cbf4541e6"
    And the create call has "ramdisk_id" equal to "a440c04b-79fa-479c-bed1-0b816eaec379"
    And the create call has "min_count" equal to 2
    And the create call has "max_count" equal to 3
    And the create call has "key_name" equal to "mykey"
    And the create call has "user_data" equal to "aGVsbG8="
    And the create call has "security_group" equal to ["default", "web"]
    And the create call has "availability_zone" equal to "zone-a"
    And the create call satisfies the schema
    And the response has 3 instances
    And every instance in the response has "placement" equal to {"availabilityZone": "nova"}

  Scenario: Without m1.small in the store the default instance type cannot be found
    Given an empty store
    And an image "cirros" with uuid 70a599e0-31e7-49b7-b260-868f441e862b, ec2 id "ami-00000001", status active, container format ami
    When I launch the image "ami-00000001"
    Then the launch fails with EC2 error "InstanceTypeNotFoundByName" and message "Instance type with name m1.small could not be found."
    And there are 0 create calls

  Scenario: A seed can make another instance type the default
    Given an empty store
    And an image "cirros" with uuid 70a599e0-31e7-49b7-b260-868f441e862b, ec2 id "ami-00000001", status active, container format ami
    And the instance types:
      | name    | memory_mb | vcpus | root_gb | default |
      | m1.tiny | 512       | 1     | 0       | true    |
    When I launch the image "ami-00000001"
    Then the launch succeeds
    And the create call's "instance_type" name is "m1.tiny"

  Scenario: An unknown instance type
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m9.huge"}
      """
    Then the launch fails with EC2 error "InstanceTypeNotFoundByName" and message "Instance type with name m9.huge could not be found."
    And the HTTP status is 400

  Scenario: max_count below min_count builds max_count instances
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 3, "max_count": 2}
      """
    Then the launch succeeds
    And the create call has "min_count" equal to 3
    And the create call has "max_count" equal to 2
    And the response has 2 instances

  Scenario: A min_count of 0 reaches compute as 0 and builds one instance
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 0}
      """
    Then the launch succeeds
    And the create call has "min_count" equal to 0
    And the create call has "max_count" equal to 0
    And the response has 1 instance

  Scenario: A negative min_count builds no instance, so the reservation cannot be formatted
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": -1}
      """
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there is 1 create call

  Scenario: A min_count that is not a number
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": "many"}
      """
    Then the launch fails with EC2 error "UnknownError"
    And there are 0 create calls

  Scenario: A max_count that is not a number
    When I launch with:
      """
      {"image_id": "ami-00000001", "max_count": "lots"}
      """
    Then the launch fails with EC2 error "UnknownError"
    And there are 0 create calls

  Scenario: A float min_count is truncated
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 2.9}
      """
    Then the launch succeeds
    And the create call has "min_count" equal to 2
    And the create call has "max_count" equal to 2
