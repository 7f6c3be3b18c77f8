Feature: How Ebs.SnapshotId is looked up in each release
  Folsom 2012.2.4 still converts every Ebs.SnapshotId with the volume id conversion before
  it looks at the prefix (LP #1089371): a snap- id finds the volume row of the same number,
  and an id with another prefix is looked up too before it is dropped. Since 2012.2.3
  (317cc0af38) its compute then fetches each mapped snapshot, after the create call was
  made: the volume's uuid is no snapshot, so the launch fails with UnknownError. From
  Grizzly on, snap- ids use the snapshot table, vol- ids the volume table, and any other
  prefix is dropped without a lookup; from Havana on, compute then refuses the mapping that
  is left (a device with neither snapshot, volume nor virtual name) after the create call.

  Background:
    Given the default seed

  Scenario Outline: A snapshot with no volume of its number is a missing volume in Folsom (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-12345678"}}]}
      """
    Then the launch <outcome>
    And there are <calls> create calls

    Examples:
      | profile  | outcome                                                                                       | calls |
      | folsom   | fails with EC2 error "VolumeNotFound" and message "Volume vol-12345678 could not be found." | 0     |
      | grizzly  | succeeds                                                                                      | 1     |
      | havana   | succeeds                                                                                      | 1     |
      | icehouse | succeeds                                                                                      | 1     |

  Scenario Outline: The snapshot's uuid is mapped from Grizzly on (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-12345678"}}]}
      """
    Then the block device mapping is:
      | device_name | snapshot_id                          | delete_on_termination |
      | /dev/vdb    | 00000000-1111-2222-3333-444444444444 | true                  |

    Examples:
      | profile  |
      | grizzly  |
      | havana   |
      | icehouse |

  Scenario: In Folsom a snapshot id with a volume of its number maps the volume's uuid as the snapshot
    Given a volume "vol-0000000a" with uuid bbbbbbbb-0000-4000-8000-00000000000a
    And the "folsom" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-0000000a"}}]}
      """
    Then there is 1 create call
    And the block device mapping is:
      | device_name | snapshot_id                          | delete_on_termination |
      | /dev/vdb    | bbbbbbbb-0000-4000-8000-00000000000a | true                  |
    And the create call satisfies the schema
    And the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And the HTTP status is 400

  Scenario Outline: The same request from Grizzly on finds no snapshot of that number (<profile>)
    Given a volume "vol-0000000a" with uuid bbbbbbbb-0000-4000-8000-00000000000a
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-0000000a"}}]}
      """
    Then the launch fails with EC2 error "<code>" and message "Snapshot snap-0000000a could not be found."
    And the HTTP status is <status>
    And there are 0 create calls

    Examples:
      | profile  | code                       | status |
      | grizzly  | SnapshotNotFound           | 400    |
      | havana   | InvalidSnapshotID.NotFound | 404    |
      | icehouse | InvalidSnapshotID.NotFound | 404    |

  Scenario: A Folsom failure after the create call still used up the instance's id
    Given a volume "vol-0000000a" with uuid bbbbbbbb-0000-4000-8000-00000000000a
    And the "folsom" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-0000000a"}}]}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small"}
      """
    Then every instance in the response has "instanceId" equal to "i-00000002"

  Scenario Outline: An id with another prefix is looked up in Folsom's volume table first (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "<ec2_id>"}}]}
      """
    Then the launch <outcome>

    Examples:
      | profile  | ec2_id        | outcome                                                                                                           |
      | folsom   | SNAP-87654321 | succeeds                                                                                                          |
      | folsom   | foo-00000001  | fails with EC2 error "VolumeNotFound" and message "Volume vol-00000001 could not be found."                     |
      | folsom   | foo-xyz       | fails with EC2 error "UnknownError"                                                                               |
      | grizzly  | foo-00000001  | succeeds                                                                                                          |
      | havana   | foo-00000001  | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Unrecognized legacy format." |
      | icehouse | foo-00000001  | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Unrecognized legacy format." |

  Scenario Outline: The dropped id leaves no snapshot or volume in the create call (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "SNAP-87654321"}}]}
      """
    Then the block device mapping is:
      | device_name | delete_on_termination |
      | /dev/vdb    | true                  |

    Examples:
      | profile  |
      | folsom   |
      | grizzly  |
      | havana   |
      | icehouse |

  Scenario Outline: A snapshot id that is not hex: UnknownError until Havana names it (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-xyz"}}]}
      """
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is 400

    Examples:
      | profile  | code         | message                                                       |
      | folsom   | UnknownError | An unknown error has occurred. Please try your request again. |
      | grizzly  | UnknownError | An unknown error has occurred. Please try your request again. |
      | havana   | InvalidEc2Id | Ec2 id snap-xyz is unacceptable.                              |
      | icehouse | InvalidEc2Id | Ec2 id snap-xyz is unacceptable.                              |

  Scenario Outline: A volume id is the volume table's in every release (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-000000ff"}}]}
      """
    Then the launch fails with EC2 error "<code>" and message "Volume vol-000000ff could not be found."
    And the HTTP status is <status>

    Examples:
      | profile  | code                     | status |
      | folsom   | VolumeNotFound           | 400    |
      | grizzly  | VolumeNotFound           | 400    |
      | havana   | InvalidVolumeID.NotFound | 404    |
      | icehouse | InvalidVolumeID.NotFound | 404    |
