Feature: The seven block device mappings of the seed walkthrough
  The walkthrough launches ami-00000001 with seven mappings, /dev/fake0 to /dev/fake6.
  Nova Grizzly turns the EC2 id found in "ebs" into a UUID from the mapping store
  (snap- ids into snapshot_id, vol- ids into volume_id), merges the other "ebs" keys into
  the mapping, defaults delete_on_termination to true when an id was given, and leaves
  mappings without "ebs" alone. Each mapping must come out exactly as the walkthrough
  shows, whether a client sends it as run_instances arguments or as EC2 query parameters.

  Background:
    Given the default seed

  Scenario Outline: <device> sent as run_instances arguments
    When I launch with:
      """
      {"image_id": "ami-00000001", "block_device_mapping": [<mapping>]}
      """
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id   | volume_id   | volume_size   | delete_on_termination   | no_device   | virtual_name   |
      | <device>    | <snapshot_id> | <volume_id> | <volume_size> | <delete_on_termination> | <no_device> | <virtual_name> |
    And the create call satisfies the schema

    Examples:
      | device     | mapping                                                                                          | snapshot_id                          | volume_id                            | volume_size | delete_on_termination | no_device | virtual_name |
      | /dev/fake0 | {"device_name": "/dev/fake0", "ebs": {"snapshot_id": "snap-12345678", "volume_size": 1}}          | 00000000-1111-2222-3333-444444444444 |                                      | 1           | true                  |           |              |
      | /dev/fake1 | {"device_name": "/dev/fake1", "ebs": {"snapshot_id": "snap-23456789", "delete_on_termination": false}} | 11111111-2222-3333-4444-555555555555 |                                      |             | false                 |           |              |
      | /dev/fake2 | {"device_name": "/dev/fake2", "ebs": {"snapshot_id": "vol-87654321", "volume_size": 2}}           |                                      | 22222222-3333-4444-5555-666666666666 | 2           | true                  |           |              |
      | /dev/fake3 | {"device_name": "/dev/fake3", "ebs": {"snapshot_id": "vol-98765432", "delete_on_termination": false}}  |                                      | 77777777-8888-9999-0000-aaaaaaaaaaaa |             | false                 |           |              |
      | /dev/fake4 | {"device_name": "/dev/fake4", "ebs": {"no_device": true}}                                         |                                      |                                      |             |                       | true      |              |
      | /dev/fake5 | {"device_name": "/dev/fake5", "virtual_name": "ephemeral0"}                                       |                                      |                                      |             |                       |           | ephemeral0   |
      | /dev/fake6 | {"device_name": "/dev/fake6", "virtual_name": "swap"}                                             |                                      |                                      |             |                       |           | swap         |

  Scenario: /dev/fake0 sent as EC2 query parameters: a snapshot with a size
    When I send the EC2 query:
      | Name                              | Value         |
      | Action                            | RunInstances  |
      | ImageId                           | ami-00000001  |
      | MinCount                          | 1             |
      | MaxCount                          | 1             |
      | BlockDeviceMapping.1.DeviceName   | /dev/fake0    |
      | BlockDeviceMapping.1.Ebs.SnapshotId | snap-12345678 |
      | BlockDeviceMapping.1.Ebs.VolumeSize | 1           |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          | volume_size | delete_on_termination |
      | /dev/fake0  | 00000000-1111-2222-3333-444444444444 | 1           | true                  |

  Scenario: /dev/fake1 sent as EC2 query parameters: a snapshot kept after termination
    When I send the EC2 query:
      | Name                                         | Value         |
      | Action                                       | RunInstances  |
      | ImageId                                      | ami-00000001  |
      | MinCount                                     | 1             |
      | MaxCount                                     | 1             |
      | BlockDeviceMapping.1.DeviceName              | /dev/fake1    |
      | BlockDeviceMapping.1.Ebs.SnapshotId          | snap-23456789 |
      | BlockDeviceMapping.1.Ebs.DeleteOnTermination | false         |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          | delete_on_termination |
      | /dev/fake1  | 11111111-2222-3333-4444-555555555555 | false                 |

  Scenario: /dev/fake2 sent as EC2 query parameters: a volume id in SnapshotId
    When I send the EC2 query:
      | Name                                | Value        |
      | Action                              | RunInstances |
      | ImageId                             | ami-00000001 |
      | MinCount                            | 1            |
      | MaxCount                            | 1            |
      | BlockDeviceMapping.1.DeviceName     | /dev/fake2   |
      | BlockDeviceMapping.1.Ebs.SnapshotId | vol-87654321 |
      | BlockDeviceMapping.1.Ebs.VolumeSize | 2            |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | volume_id                            | volume_size | delete_on_termination |
      | /dev/fake2  | 22222222-3333-4444-5555-666666666666 | 2           | true                  |

  Scenario: /dev/fake3 sent as EC2 query parameters: a volume kept after termination
    When I send the EC2 query:
      | Name                                         | Value        |
      | Action                                       | RunInstances |
      | ImageId                                      | ami-00000001 |
      | MinCount                                     | 1            |
      | MaxCount                                     | 1            |
      | BlockDeviceMapping.1.DeviceName              | /dev/fake3   |
      | BlockDeviceMapping.1.Ebs.SnapshotId          | vol-98765432 |
      | BlockDeviceMapping.1.Ebs.DeleteOnTermination | false        |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | volume_id                            | delete_on_termination |
      | /dev/fake3  | 77777777-8888-9999-0000-aaaaaaaaaaaa | false                 |

  Scenario: /dev/fake4 sent as EC2 query parameters: no device
    When I send the EC2 query:
      | Name                              | Value        |
      | Action                            | RunInstances |
      | ImageId                           | ami-00000001 |
      | MinCount                          | 1            |
      | MaxCount                          | 1            |
      | BlockDeviceMapping.1.DeviceName   | /dev/fake4   |
      | BlockDeviceMapping.1.Ebs.NoDevice | true         |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | no_device |
      | /dev/fake4  | true      |

  Scenario: /dev/fake5 sent as EC2 query parameters: an ephemeral disk
    When I send the EC2 query:
      | Name                             | Value        |
      | Action                           | RunInstances |
      | ImageId                          | ami-00000001 |
      | MinCount                         | 1            |
      | MaxCount                         | 1            |
      | BlockDeviceMapping.1.DeviceName  | /dev/fake5   |
      | BlockDeviceMapping.1.VirtualName | ephemeral0   |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | virtual_name |
      | /dev/fake5  | ephemeral0   |

  Scenario: /dev/fake6 sent as EC2 query parameters: swap
    When I send the EC2 query:
      | Name                             | Value        |
      | Action                           | RunInstances |
      | ImageId                          | ami-00000001 |
      | MinCount                         | 1            |
      | MaxCount                         | 1            |
      | BlockDeviceMapping.1.DeviceName  | /dev/fake6   |
      | BlockDeviceMapping.1.VirtualName | swap         |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | virtual_name |
      | /dev/fake6  | swap         |

  Scenario: All seven mappings in one launch, as run_instances arguments
    When I launch as described in "fixtures/launches/walkthrough.json"
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          | volume_id                            | volume_size | delete_on_termination | no_device | virtual_name |
      | /dev/fake0  | 00000000-1111-2222-3333-444444444444 |                                      | 1           | true                  |           |              |
      | /dev/fake1  | 11111111-2222-3333-4444-555555555555 |                                      |             | false                 |           |              |
      | /dev/fake2  |                                      | 22222222-3333-4444-5555-666666666666 | 2           | true                  |           |              |
      | /dev/fake3  |                                      | 77777777-8888-9999-0000-aaaaaaaaaaaa |             | false                 |           |              |
      | /dev/fake4  |                                      |                                      |             |                       | true      |              |
      | /dev/fake5  |                                      |                                      |             |                       |           | ephemeral0   |
      | /dev/fake6  |                                      |                                      |             |                       |           | swap         |
    And the create call satisfies the schema
    And the response has 1 instance

  Scenario: All seven mappings in one launch, as EC2 query parameters
    When I send the EC2 query:
      | Name                                         | Value         |
      | Action                                       | RunInstances  |
      | ImageId                                      | ami-00000001  |
      | MinCount                                     | 1             |
      | MaxCount                                     | 1             |
      | BlockDeviceMapping.1.DeviceName              | /dev/fake0    |
      | BlockDeviceMapping.1.Ebs.SnapshotId          | snap-12345678 |
      | BlockDeviceMapping.1.Ebs.VolumeSize          | 1             |
      | BlockDeviceMapping.2.DeviceName              | /dev/fake1    |
      | BlockDeviceMapping.2.Ebs.SnapshotId          | snap-23456789 |
      | BlockDeviceMapping.2.Ebs.DeleteOnTermination | false         |
      | BlockDeviceMapping.3.DeviceName              | /dev/fake2    |
      | BlockDeviceMapping.3.Ebs.SnapshotId          | vol-87654321  |
      | BlockDeviceMapping.3.Ebs.VolumeSize          | 2             |
      | BlockDeviceMapping.4.DeviceName              | /dev/fake3    |
      | BlockDeviceMapping.4.Ebs.SnapshotId          | vol-98765432  |
      | BlockDeviceMapping.4.Ebs.DeleteOnTermination | false         |
      | BlockDeviceMapping.5.DeviceName              | /dev/fake4    |
      | BlockDeviceMapping.5.Ebs.NoDevice            | true          |
      | BlockDeviceMapping.6.DeviceName              | /dev/fake5    |
      | BlockDeviceMapping.6.VirtualName             | ephemeral0    |
      | BlockDeviceMapping.7.DeviceName              | /dev/fake6    |
      | BlockDeviceMapping.7.VirtualName             | swap          |
    Then the launch succeeds
    And the HTTP status is 200
    And the block device mapping is:
      | device_name | snapshot_id                          | volume_id                            | volume_size | delete_on_termination | no_device | virtual_name |
      | /dev/fake0  | 00000000-1111-2222-3333-444444444444 |                                      | 1           | true                  |           |              |
      | /dev/fake1  | 11111111-2222-3333-4444-555555555555 |                                      |             | false                 |           |              |
      | /dev/fake2  |                                      | 22222222-3333-4444-5555-666666666666 | 2           | true                  |           |              |
      | /dev/fake3  |                                      | 77777777-8888-9999-0000-aaaaaaaaaaaa |             | false                 |           |              |
      | /dev/fake4  |                                      |                                      |             |                       | true      |              |
      | /dev/fake5  |                                      |                                      |             |                       |           | ephemeral0   |
      | /dev/fake6  |                                      |                                      |             |                       |           | swap         |
    And the create call satisfies the schema
    And the response has 1 instance
