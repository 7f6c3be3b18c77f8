Feature: The checks compute makes on the create call
  The create call is recorded first, then compute applies Nova Grizzly's checks:
  a volume on several instances, a disabled instance type, the user data (at most 65535
  bytes, valid base64), the instance quota, the image's Glance status and minimum sizes,
  the kernel and ramdisk, and a device name on every mapping. The errors without an EC2
  code of their own are reported as UnknownError.

  Background:
    Given the default seed

  Scenario: More instances than the quota allows
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 11}
      """
    Then the launch fails with EC2 error "TooManyInstances" and message "Quota exceeded for instances: Requested 11, but already used 0 of 10 instances"
    And the HTTP status is 400
    And there is 1 create call

  Scenario: More cores than the quota allows
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 3, "instance_type": "m1.xlarge"}
      """
    Then the launch fails with EC2 error "TooManyInstances" and message "Quota exceeded for cores: Requested 24, but already used 0 of 20 cores"

  Scenario: The quota error reports min_count instances, though max_count was reserved
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 11, "max_count": 12}
      """
    Then the launch fails with EC2 error "TooManyInstances" and message "Quota exceeded for instances: Requested 11, but already used 0 of 10 instances"

  Scenario: Several resources over quota are named in sorted order, the first one reported
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 3, "max_count": 30, "instance_type": "m1.xlarge"}
      """
    Then the launch fails with EC2 error "TooManyInstances" and message "Quota exceeded for cores,instances,ram: Requested 240, but already used 0 of 20 cores"

  Scenario: Over quota, a range of counts is cut down to what the quota allows
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 2, "max_count": 20}
      """
    Then the launch succeeds
    And the create call has "max_count" equal to 20
    And the response has 10 instances

  Scenario: User data that is valid base64
    When I launch with:
      """
      {"image_id": "ami-00000001", "user_data": "aGVsbG8="}
      """
    Then the launch succeeds
    And the create call has "user_data" equal to "aGVsbG8="

  Scenario: User data that is not base64
    When I launch with:
      """
      {"image_id": "ami-00000001", "user_data": "abc"}
      """
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there is 1 create call
    And the create call has "user_data" equal to "abc"

  Scenario: User data over 65535 bytes
    When I launch the image "ami-00000001" with 65536 bytes of user data
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there is 1 create call

  Scenario: User data just under the limit
    When I launch the image "ami-00000001" with 65532 bytes of user data
    Then the launch succeeds
    And there is 1 create call
    And the response has 1 instance

  Scenario: A disabled instance type
    Given the instance types:
      | name   | memory_mb | vcpus | root_gb | disabled |
      | m1.off | 512       | 1     | 0       | true     |
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.off"}
      """
    Then the launch fails with EC2 error "InstanceTypeNotFound"
    And there is 1 create call

  Scenario Outline: An image that needs a bigger instance type than m1.small: <case>
    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "big", "status": "active", "container_format": "ami",
                   "<field>": <size>, "properties": {}}]}
      """
    When I launch the image "ami-00000010"
    Then the launch fails with EC2 error "UnknownError"
    And there is 1 create call

    Examples:
      | case           | field    | size |
      | more memory    | min_ram  | 4096 |
      | a bigger disk  | min_disk | 40   |

  Scenario: An image whose minimum sizes the instance type meets
    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "big", "status": "active", "container_format": "ami",
                   "min_ram": 4096, "min_disk": 40, "properties": {}}]}
      """
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.medium"}
      """
    Then the launch succeeds
    And the create call's "instance_type" name is "m1.medium"
    And the create call has "image_href" equal to "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f"
