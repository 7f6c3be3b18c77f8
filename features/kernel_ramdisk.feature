Feature: Kernel and ramdisk images
  A kernel_id or ramdisk_id is looked up like the machine image (by EC2 id, else by name,
  then the id's prefix must match the image's type) and reaches compute as a Glance UUID.
  The kernel is looked up first, then the ramdisk, both before anything else is checked.
  Left out, they are None in the create call and compute takes them from the image.

  Background:
    Given the default seed

  Scenario: Kernel and ramdisk by EC2 id
    When I launch with:
      """
      {"image_id": "ami-00000001", "kernel_id": "aki-00000002", "ramdisk_id": "ari-00000003"}
      """
    Then the launch succeeds
    And the create call has "kernel_id" equal to "155d900f-4e14-4e4c-a73d-069cbf4541e6"
    And the create call has "ramdisk_id" equal to "a440c04b-79fa-479c-bed1-0b816eaec379"
    And every instance in the response has "kernelId" equal to "aki-00000002"
    And every instance in the response has "ramdiskId" equal to "ari-00000003"

  Scenario: EC2 ids are hexadecimal and need no zero padding
    When I launch with:
      """
      {"image_id": "ami-1", "kernel_id": "aki-2", "ramdisk_id": "ari-0x3"}
      """
    Then the launch succeeds
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"
    And the create call has "kernel_id" equal to "155d900f-4e14-4e4c-a73d-069cbf4541e6"
    And the create call has "ramdisk_id" equal to "a440c04b-79fa-479c-bed1-0b816eaec379"

  Scenario: Kernel and ramdisk by name
    When I launch with:
      """
      {"image_id": "ami-00000001", "kernel_id": "cirros-kernel", "ramdisk_id": "cirros-ramdisk"}
      """
    Then the launch succeeds
    And the create call has "kernel_id" equal to "155d900f-4e14-4e4c-a73d-069cbf4541e6"
    And the create call has "ramdisk_id" equal to "a440c04b-79fa-479c-bed1-0b816eaec379"

  Scenario: Left out, they stay None in the create call and compute takes the image's
    When I launch the image "ami-00000001"
    Then the launch succeeds
    And the create call has "kernel_id" equal to null
    And the create call has "ramdisk_id" equal to null
    And every instance in the response has "kernelId" equal to "aki-00000002"
    And every instance in the response has "ramdiskId" equal to "ari-00000003"

  Scenario: An image whose kernel is "nokernel" launches without kernel and ramdisk
    Given an image "bare-metal" with uuid 3c7e5a8e-2d1b-4f6a-9e0c-5b4d3a2f1e0d, ec2 id "ami-00000010", status active, container format ami and properties:
      | property   | value                                |
      | kernel_id  | nokernel                             |
      | ramdisk_id | a440c04b-79fa-479c-bed1-0b816eaec379 |
    When I launch the image "ami-00000010"
    Then the launch succeeds
    And every instance in the response has no "kernelId"
    And every instance in the response has no "ramdiskId"

  Scenario: The image's own kernel must exist in the image service
    Given an image "orphan" with uuid 3c7e5a8e-2d1b-4f6a-9e0c-5b4d3a2f1e0d, ec2 id "ami-00000010", status active, container format ami and properties:
      | property  | value                                |
      | kernel_id | 99999999-9999-4999-8999-999999999999 |
    When I launch the image "ami-00000010"
    Then the launch fails with EC2 error "ImageNotFound" and message "Image 99999999-9999-4999-8999-999999999999 could not be found."
    And there is 1 create call

  Scenario Outline: A kernel or ramdisk that cannot be found: <case>
    When I launch with:
      """
      {"image_id": "ami-00000001", "<argument>": "<id>"}
      """
    Then the launch fails with EC2 error "ImageNotFound" and message "Image <id> could not be found."
    And there are 0 create calls

    Examples:
      | case                                   | argument   | id             |
      | no such kernel row                     | kernel_id  | aki-000000ff   |
      | no such ramdisk row                    | ramdisk_id | ari-000000ff   |
      | no image of that name                  | kernel_id  | no-such-kernel |
      | aki- prefix on a machine image         | kernel_id  | aki-00000001   |
      | aki- prefix on a ramdisk image         | kernel_id  | aki-00000003   |
      | ami- prefix on the kernel image        | kernel_id  | ami-00000002   |
      | ari- prefix on the kernel image        | ramdisk_id | ari-00000002   |
      | the prefix is case-sensitive           | kernel_id  | AKI-00000002   |

  Scenario: The prefix is compared with the image's type, not with the argument's role
    When I launch with:
      """
      {"image_id": "ami-00000001", "kernel_id": "ari-00000003"}
      """
    Then the launch succeeds
    And the create call has "kernel_id" equal to "a440c04b-79fa-479c-bed1-0b816eaec379"
