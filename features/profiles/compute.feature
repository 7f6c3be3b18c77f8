Feature: compute_api.create's own checks, after the create call is recorded
  Each release checks in its own order and has checks the others lack. Folsom reserves the
  quota before it reads the image and the user data and has no multi-volume or image status
  check. Havana first fetches the image and checks the requested zone, and converts every
  mapping to the new block device format (VirtualName=NoDevice is no longer special) before
  the multi-volume check and the quota, then stores them without Grizzly's device name
  assert and checks each instance's devices once it exists (_validate_bdm); a flavor whose
  root_gb is 0 is not checked against the image's size or min_disk.

  Background:
    Given the default seed

  Scenario Outline: Quota or user data first (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "min_count": 11, "user_data": "not base64!"}
      """
    Then the launch fails with EC2 error "<code>"

    Examples:
      | profile  | code                      |
      | folsom   | TooManyInstances          |
      | grizzly  | UnknownError              |
      | havana   | InstanceUserDataMalformed |
      | icehouse | InstanceUserDataMalformed |

  Scenario Outline: One volume for two instances (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "min_count": 2,
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-87654321"}}]}
      """
    Then the launch <outcome>

    Examples:
      | profile  | outcome                                                                                           |
      | folsom   | succeeds                                                                                          |
      | grizzly  | fails with EC2 error "InvalidRequest" and message "Cannot attach one or more volumes to multiple instances" |
      | havana   | fails with EC2 error "InvalidRequest" and message "Cannot attach one or more volumes to multiple instances" |
      | icehouse | fails with EC2 error "InvalidRequest" and message "Cannot attach one or more volumes to multiple instances" |

  Scenario Outline: A zone the cloud does not have (<profile>, <zone>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "placement": {"availability_zone": "<zone>"}}
      """
    Then the launch <outcome>

    Examples:
      | profile  | zone      | outcome                                                                                              |
      | grizzly  | az1       | succeeds                                                                                             |
      | folsom   | a:b:c     | fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again." |
      | grizzly  | a:b:c     | fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again." |
      | havana   | az1       | fails with EC2 error "InvalidRequest" and message "The requested availability zone is not available" |
      | icehouse | az1       | fails with EC2 error "InvalidRequest" and message "The requested availability zone is not available" |
      | havana   | nova      | succeeds                                                                                             |
      | icehouse | internal  | succeeds                                                                                             |
      | havana   | az1:host1 | succeeds                                                                                             |
      | havana   | a:b:c:d   | fails with EC2 error "InvalidInput" and message "Invalid input received: Unable to parse availability_zone" |

  Scenario Outline: VirtualName=NoDevice (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name                             | Value        |
      | Action                           | RunInstances |
      | ImageId                          | ami-00000001 |
      | InstanceType                     | m1.small     |
      | BlockDeviceMapping.1.DeviceName  | /dev/vdb     |
      | BlockDeviceMapping.1.VirtualName | NoDevice     |
    Then there is 1 create call
    And the launch <outcome>

    Examples:
      | profile  | outcome                                                                                                           |
      | folsom   | succeeds                                                                                                          |
      | grizzly  | succeeds                                                                                                          |
      | havana   | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Unrecognized legacy format." |
      | icehouse | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Unrecognized legacy format." |

  Scenario Outline: Ebs.NoDevice blanks a device in every release (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name                             | Value        |
      | Action                           | RunInstances |
      | ImageId                          | ami-00000001 |
      | InstanceType                     | m1.small     |
      | BlockDeviceMapping.1.DeviceName  | /dev/vdb     |
      | BlockDeviceMapping.1.NoDevice    | true         |
    Then the launch succeeds

    Examples:
      | profile  |
      | folsom   |
      | grizzly  |
      | havana   |
      | icehouse |

  Scenario Outline: A negative volume size (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-12345678", "volume_size": -1}}]}
      """
    Then the launch <outcome>

    Examples:
      | profile  | outcome                                                                                                    |
      | grizzly  | succeeds                                                                                                   |
      | havana   | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Invalid volume_size." |
      | icehouse | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Invalid volume_size." |

  Scenario Outline: A volume size beyond ASCII (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-12345678", "volume_size": "\u00e9"}}]}
      """
    Then the launch <outcome>

    Examples:
      | profile  | outcome                                                                                                    |
      | havana   | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Invalid volume_size." |
      | icehouse | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Invalid volume_size." |

  Scenario Outline: An image's volume size beyond ASCII (<profile>)
    Havana's validate_integer reads int(str(value)): a byte string, which has no Arabic-Indic
    digit three; a query's VolumeSize would have been converted to 3 before compute.

    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "sized", "status": "active", "container_format": "ami",
                   "properties": {"image_state": "available",
                                  "block_device_mapping": [{"device_name": "/dev/vdb",
                                                            "volume_id": "22222222-3333-4444-5555-666666666666",
                                                            "volume_size": "\u0663"}]}}]}
      """
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then the launch <outcome>

    Examples:
      | profile  | outcome                                                                                                    |
      | folsom   | succeeds                                                                                                   |
      | grizzly  | succeeds                                                                                                   |
      | havana   | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Invalid volume_size." |
      | icehouse | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Invalid volume_size." |

  Scenario Outline: A flavor without a root disk size and an image with min_disk (<profile>)
    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "disk", "status": "active", "container_format": "ami",
                   "min_disk": 5, "properties": {}}]}
      """
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.tiny"}
      """
    Then the launch <outcome>

    Examples:
      | profile  | outcome                             |
      | folsom   | fails with EC2 error "UnknownError" |
      | grizzly  | fails with EC2 error "UnknownError" |
      | havana   | succeeds                            |
      | icehouse | succeeds                            |

  Scenario Outline: A mapping without a DeviceName (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name                                | Value         |
      | Action                              | RunInstances  |
      | ImageId                             | ami-00000001  |
      | InstanceType                        | m1.small      |
      | BlockDeviceMapping.1.Ebs.SnapshotId | snap-12345678 |
    Then there is <calls> create call
    And the launch <outcome>

    Examples:
      | profile  | calls | outcome                               |
      | folsom   | 0     | fails with EC2 error "VolumeNotFound" |
      | grizzly  | 1     | fails with EC2 error "UnknownError"   |
      | havana   | 1     | succeeds                              |
      | icehouse | 1     | succeeds                              |

  Scenario Outline: An image mapping with a null device name (<profile>)
    Before Havana the database's device_name column is NOT NULL: the row's insert fails once
    the instance exists, and the instance is left behind.

    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "nameless", "status": "active", "container_format": "ami",
                   "properties": {"image_state": "available",
                                  "block_device_mapping": [{"device_name": null,
                                                            "snapshot_id": "00000000-1111-2222-3333-444444444444"}]}}]}
      """
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then there is 1 create call
    And the launch <outcome>

    Examples:
      | profile  | outcome                             |
      | folsom   | fails with EC2 error "UnknownError" |
      | grizzly  | fails with EC2 error "UnknownError" |
      | havana   | succeeds                            |
      | icehouse | succeeds                            |

  Scenario Outline: Havana's _validate_bdm, per instance after the quota (<profile>, <case>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "block_device_mapping": <mappings>}
      """
    Then the launch <outcome>

    Examples:
      | profile  | case          | mappings                                                                                                                                                                        | outcome                                                                                                                                               |
      | grizzly  | boot sequence | [{"device_name": "/dev/vda", "ebs": {"snapshot_id": "snap-12345678"}}, {"device_name": "vda", "ebs": {"snapshot_id": "snap-23456789"}}]                                         | succeeds                                                                                                                                              |
      | havana   | boot sequence | [{"device_name": "/dev/vda", "ebs": {"snapshot_id": "snap-12345678"}}, {"device_name": "vda", "ebs": {"snapshot_id": "snap-23456789"}}]                                         | fails with EC2 error "InvalidBDMBootSequence" and message "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid." |
      | icehouse | boot sequence | [{"device_name": "/dev/vda", "ebs": {"snapshot_id": "snap-12345678"}}, {"device_name": "vda", "ebs": {"snapshot_id": "snap-23456789"}}]                                         | fails with EC2 error "InvalidBDMBootSequence" and message "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid." |
      | grizzly  | locals        | [{"device_name": "/dev/sdb", "virtual_name": "swap"}, {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"}, {"device_name": "/dev/sdd", "virtual_name": "ephemeral1"}] | succeeds                                                                                                                                              |
      | havana   | locals        | [{"device_name": "/dev/sdb", "virtual_name": "swap"}, {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"}, {"device_name": "/dev/sdd", "virtual_name": "ephemeral1"}] | fails with EC2 error "InvalidBDMLocalsLimit" and message "Block Device Mapping is Invalid: You specified more local devices than the limit allows" |
      | icehouse | locals        | [{"device_name": "/dev/sdb", "virtual_name": "swap"}, {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"}, {"device_name": "/dev/sdd", "virtual_name": "ephemeral1"}] | fails with EC2 error "InvalidBDMLocalsLimit" and message "Block Device Mapping is Invalid: You specified more local devices than the limit allows" |

  Scenario Outline: An image whose mappings are already in the new format (<profile>, <case>)
    Icehouse reads an image's block_device_mapping as BlockDeviceDicts when its bdm_v2
    property is truthy; Havana reads every image's as legacy mappings.

    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "bdm-v2", "status": "active", "container_format": "ami",
                   "properties": {"image_state": "available", "bdm_v2": true,
                                  "block_device_mapping": [<mapping>]}}]}
      """
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then the launch <outcome>

    Examples:
      | profile  | case          | mapping                                                                                                                                          | outcome                                                                                                                                |
      | havana   | image copy    | {"source_type": "image", "destination_type": "volume", "image_id": "70a599e0-31e7-49b7-b260-868f441e862b", "volume_size": 10}                  | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Unrecognized legacy format."                    |
      | icehouse | image copy    | {"source_type": "image", "destination_type": "volume", "image_id": "70a599e0-31e7-49b7-b260-868f441e862b", "volume_size": 10}                  | succeeds                                                                                                                               |
      | icehouse | no size       | {"source_type": "image", "destination_type": "volume", "image_id": "70a599e0-31e7-49b7-b260-868f441e862b"}                                     | fails with EC2 error "InvalidBDM" and message "Images with destination_type 'volume' need to have a non-zero size specified"          |
      | icehouse | unknown image | {"source_type": "image", "destination_type": "volume", "image_id": "no-such-image", "volume_size": 10}                                           | fails with EC2 error "InvalidBDMImage" and message "Block Device Mapping is Invalid: failed to get image no-such-image."              |
      | icehouse | bogus field   | {"source_type": "blank", "size": 1}                                                                                                              | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Some fields are invalid."                       |
      | icehouse | no source     | {"device_name": "/dev/vdb"}                                                                                                                      | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Some required fields are missing"               |
      | icehouse | boot index    | {"source_type": "blank", "destination_type": "local", "boot_index": "first"}                                                                     | fails with EC2 error "InvalidBDMFormat" and message "Block Device Mapping is Invalid: Boot index is invalid."                         |

  Scenario: An image's new-format boot volume replaces the image's own device (icehouse)
    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "bdm-v2", "status": "active", "container_format": "ami",
                   "properties": {"image_state": "available", "bdm_v2": true, "root_device_name": "/dev/vda",
                                  "block_device_mapping": [
                                    {"source_type": "volume", "destination_type": "volume", "boot_index": 0,
                                     "device_name": "/dev/vda", "volume_id": "22222222-3333-4444-5555-666666666666",
                                     "delete_on_termination": "no"}]}}]}
      """
    And the "icehouse" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then the launch succeeds
    And every instance in the response has "rootDeviceType" equal to "ebs"
