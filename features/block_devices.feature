Feature: Normalizing block device mappings
  For each mapping Nova pops "ebs" and, when it holds a snapshot_id, resolves it by prefix:
  "snap-" through the snapshot mapping rows into snapshot_id, "vol-" through the volume
  mapping rows into volume_id, anything else is dropped without a word. The number after
  the last dash is hexadecimal. delete_on_termination defaults to true only when an id
  was given, every other "ebs" key is merged as it is, and nothing is validated. These
  lookups only read: a missing row is an error, never a new row.

  Background:
    Given the default seed

  Scenario Outline: A snapshot or volume that is not in the store: <ec2_id>
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "<ec2_id>"}}]}
      """
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And there are 0 create calls

    Examples:
      | ec2_id        | code             | message                                   |
      | snap-000000ff | SnapshotNotFound | Snapshot snap-000000ff could not be found. |
      | snap-ff       | SnapshotNotFound | Snapshot snap-000000ff could not be found. |
      | vol-000000ff  | VolumeNotFound   | Volume vol-000000ff could not be found.    |
      | vol-5         | VolumeNotFound   | Volume vol-00000005 could not be found.    |
      | snap-a-b      | SnapshotNotFound | Snapshot snap-0000000b could not be found. |

  Scenario Outline: Hexadecimal snapshot ids: <ec2_id> is row <row>
    Given a snapshot "snap-0000000a" with uuid aaaaaaaa-0000-4000-8000-00000000000a
    And a snapshot "snap-00000010" with uuid aaaaaaaa-0000-4000-8000-000000000010
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "<ec2_id>"}}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id | delete_on_termination |
      | /dev/vdb    | <uuid>      | true                  |

    Examples:
      | ec2_id        | row | uuid                                 |
      | snap-0000000a | 10  | aaaaaaaa-0000-4000-8000-00000000000a |
      | snap-0000000A | 10  | aaaaaaaa-0000-4000-8000-00000000000a |
      | snap-a        | 10  | aaaaaaaa-0000-4000-8000-00000000000a |
      | snap-10       | 16  | aaaaaaaa-0000-4000-8000-000000000010 |
      | snap-0x10     | 16  | aaaaaaaa-0000-4000-8000-000000000010 |

  Scenario: Hexadecimal volume ids
    Given a volume "vol-0000001b" with uuid bbbbbbbb-0000-4000-8000-00000000001b
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-1b"}}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | volume_id                            | delete_on_termination |
      | /dev/vdb    | bbbbbbbb-0000-4000-8000-00000000001b | true                  |

  Scenario Outline: An id with another prefix is dropped silently: <ec2_id>
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "<ec2_id>", "volume_size": 3}}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | volume_size | delete_on_termination |
      | /dev/vdb    | 3           | true                  |

    Examples:
      | ec2_id        |
      | SNAP-12345678 |
      | Vol-87654321  |
      | ami-00000001  |
      | 12345678      |

  Scenario Outline: A snapshot id that cannot be read: <case>
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": <snapshot_id>}}]}
      """
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there are 0 create calls

    Examples:
      | case                  | snapshot_id |
      | not hexadecimal       | "snap-zz"   |
      | nothing after a dash  | "snap-"     |
      | a number, not text    | 123         |
      | a list, not text      | ["snap-1"]  |

  Scenario: delete_on_termination is only defaulted when an id is given
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"volume_size": 3}}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | volume_size |
      | /dev/vdb    | 3           |

  Scenario: An empty "ebs" is removed and nothing else changes
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {}, "virtual_name": "ephemeral0"}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | virtual_name |
      | /dev/vdb    | ephemeral0   |

  Scenario: Values are not validated
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb",
                                 "ebs": {"snapshot_id": "snap-12345678", "delete_on_termination": "no"}}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          | delete_on_termination |
      | /dev/vdb    | 00000000-1111-2222-3333-444444444444 | no                    |

  Scenario: A mapping that is already flat passes through untouched
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "snapshot_id": "00000000-1111-2222-3333-444444444444"}]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          |
      | /dev/vdb    | 00000000-1111-2222-3333-444444444444 |

  Scenario: A mapping without a device name fails in compute
    When I launch with:
      """
      {"image_id": "ami-00000001", "block_device_mapping": [{"ebs": {"snapshot_id": "snap-12345678"}}]}
      """
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there is 1 create call

  Scenario: A volume cannot be attached to several instances
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 2,
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-87654321"}}]}
      """
    Then the launch fails with EC2 error "InvalidRequest" and message "Cannot attach one or more volumes to multiple instances"
    And the HTTP status is 400
    And there is 1 create call

  Scenario: A volume cannot be attached to several instances, even if only max_count asks for them
    When I launch with:
      """
      {"image_id": "ami-00000001", "max_count": 2,
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-87654321"}}]}
      """
    Then the launch fails with EC2 error "InvalidRequest" and message "Cannot attach one or more volumes to multiple instances"

  Scenario: A snapshot can back several instances
    When I launch with:
      """
      {"image_id": "ami-00000001", "min_count": 2,
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-12345678"}}]}
      """
    Then the launch succeeds
    And the response has 2 instances

  Scenario: A volume on the root device makes the instance EBS-backed
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/sda1", "ebs": {"snapshot_id": "vol-87654321"}}]}
      """
    Then the launch succeeds
    And every instance in the response has "rootDeviceType" equal to "ebs"

  Scenario: A snapshot on the root device makes the instance EBS-backed too
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/sda1", "ebs": {"snapshot_id": "snap-12345678"}}]}
      """
    Then the launch succeeds
    And every instance in the response has "rootDeviceType" equal to "ebs"
    And every instance in the response has no "blockDeviceMapping"

  Scenario: The response shows the instance's devices, not the request's: NoDevice and ephemeral1 are gone
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [
         {"device_name": "/dev/vdc", "virtual_name": "NoDevice", "ebs": {"snapshot_id": "vol-87654321"}},
         {"device_name": "/dev/vdd", "virtual_name": "ephemeral1", "ebs": {"snapshot_id": "vol-98765432"}}]}
      """
    Then the launch succeeds
    And the create call has "block_device_mapping" equal to [{"device_name": "/dev/vdc", "virtual_name": "NoDevice", "volume_id": "22222222-3333-4444-5555-666666666666", "delete_on_termination": true}, {"device_name": "/dev/vdd", "virtual_name": "ephemeral1", "volume_id": "77777777-8888-9999-0000-aaaaaaaaaaaa", "delete_on_termination": true}]
    And every instance in the response has no "blockDeviceMapping"
    And every instance in the response has "rootDeviceType" equal to "instance-store"

  Scenario: The image names the root device
    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "virtio", "status": "active", "container_format": "ami",
                   "properties": {"root_device_name": "/dev/vda"}}]}
      """
    When I launch with:
      """
      {"image_id": "ami-00000010",
       "block_device_mapping": [{"device_name": "/dev/vda", "ebs": {"snapshot_id": "vol-87654321"}}]}
      """
    Then the launch succeeds
    And every instance in the response has "rootDeviceName" equal to "/dev/vda"
    And every instance in the response has "rootDeviceType" equal to "ebs"

  Scenario: The mappings are resolved in order and the first missing id wins
    When I launch with:
      """
      {"image_id": "ami-00000001",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-000000ff"}},
                                {"device_name": "/dev/vdc", "ebs": {"snapshot_id": "snap-000000ff"}}]}
      """
    Then the launch fails with EC2 error "VolumeNotFound" and message "Volume vol-000000ff could not be found."
