Feature: The order of the checks
  Nova Grizzly checks a launch in a fixed order and reports the first failure only:
  min_count, the kernel, the ramdisk, the block device mappings (snapshot and volume
  lookups), the machine image, its state, then the instance type and max_count while the
  create call's arguments are evaluated, and finally compute's own checks (a volume on
  several instances, user data, quota, the image's Glance status). Each scenario below
  breaks two things at once and expects the earlier one to be reported.

  Background:
    Given the default seed

  Scenario: min_count is read before the kernel is looked up
    When I launch with:
      """
      {"min_count": "x", "kernel_id": "aki-000000ff", "image_id": "ami-00000001"}
      """
    Then the launch fails with EC2 error "UnknownError"

  Scenario: The kernel is looked up before the ramdisk
    When I launch with:
      """
      {"kernel_id": "aki-000000ff", "ramdisk_id": "ari-000000fe", "image_id": "ami-00000001"}
      """
    Then the launch fails with EC2 error "ImageNotFound" and message "Image aki-000000ff could not be found."

  Scenario: The ramdisk is looked up before the block device mappings
    When I launch with:
      """
      {"ramdisk_id": "ari-000000fe", "image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-000000ff"}}]}
      """
    Then the launch fails with EC2 error "ImageNotFound" and message "Image ari-000000fe could not be found."

  Scenario: Snapshots are looked up before the machine image
    When I launch with:
      """
      {"image_id": "ami-000000ff",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-1"}}]}
      """
    Then the launch fails with EC2 error "SnapshotNotFound" and message "Snapshot snap-00000001 could not be found."

  Scenario: Volumes are looked up before the machine image, even one given by name
    When I launch with:
      """
      {"image_id": "no-such-image",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-000000ff"}}]}
      """
    Then the launch fails with EC2 error "VolumeNotFound" and message "Volume vol-000000ff could not be found."

  Scenario: The machine image is looked up before the instance type
    When I launch with:
      """
      {"image_id": "ami-000000ff", "instance_type": "m9.huge"}
      """
    Then the launch fails with EC2 error "ImageNotFound" and message "Image ami-000000ff could not be found."

  Scenario: The image state is checked before the instance type
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status queued, container format ami
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m9.huge"}
      """
    Then the launch fails with EC2 error "EC2APIError" and message "Image must be available"

  Scenario: The instance type is looked up before max_count is read
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m9.huge", "max_count": "x"}
      """
    Then the launch fails with EC2 error "InstanceTypeNotFoundByName" and message "Instance type with name m9.huge could not be found."

  Scenario: max_count is read before compute is called
    When I launch with:
      """
      {"image_id": "ami-00000001", "max_count": "x", "user_data": "abc"}
      """
    Then the launch fails with EC2 error "UnknownError"
    And there are 0 create calls

  Scenario: In compute, a volume on several instances is refused before the quota is checked
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 11,
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-87654321"}}]}
      """
    Then the launch fails with EC2 error "InvalidRequest"

  Scenario: In compute, user data is checked before the quota
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 11, "user_data": "abc"}
      """
    Then the launch fails with EC2 error "UnknownError"
    And there is 1 create call

  Scenario: In compute, the quota is checked before the image's Glance status
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status queued, container format ami and properties:
      | property    | value     |
      | image_state | available |
    When I launch with:
      """
      {"image_id": "ami-00000010", "min_count": 11}
      """
    Then the launch fails with EC2 error "TooManyInstances"
