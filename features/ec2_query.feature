Feature: Launching with EC2 query parameters
  An HTTP client sends parameters such as MinCount=1 or BlockDeviceMapping.1.Ebs.SnapshotId.
  Nova turns their names into snake_case keyword arguments, dotted names into nested
  dicts and numbered ones into lists (ordered as text: 1, 10, 2), and converts every value:
  "None" becomes null, true/false become booleans, and numbers are read with C-style
  prefixes, so 010 is octal 8. These scenarios go through the same service as HTTP requests.

  Background:
    Given the default seed

  Scenario: A successful launch answers HTTP 200
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | MinCount | 1            |
      | MaxCount | 1            |
    Then the launch succeeds
    And the HTTP status is 200
    And the create call has "min_count" equal to 1
    And the create call satisfies the schema
    And the response has 1 instance

  Scenario: Without MinCount and MaxCount the defaults apply
    When I send the EC2 query:
      | Name    | Value        |
      | Action  | RunInstances |
      | ImageId | ami-00000001 |
    Then the launch succeeds
    And the create call has "min_count" equal to 1
    And the create call has "max_count" equal to 1
    And the create call has "block_device_mapping" equal to {}

  Scenario: An empty BlockDeviceMapping stays an empty string, which compute reads as no mappings
    When I send the EC2 query:
      | Name               | Value        |
      | Action             | RunInstances |
      | ImageId            | ami-00000001 |
      | BlockDeviceMapping |              |
    Then the launch succeeds
    And the create call has "block_device_mapping" equal to ""
    And the create call satisfies the schema

  Scenario Outline: Numbers are read the way Nova reads them: MinCount=<text>
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | MinCount | <text>       |
    Then the launch succeeds
    And the create call has "min_count" equal to <count>
    And the create call has "max_count" equal to <count>
    And the response has <count> instances

    Examples:
      | text     | count |
      | 010      | 8     |
      | 08       | 8     |
      | 0x3      | 3     |
      | 0b11     | 3     |
      | 00000002 | 2     |
      | 2.9      | 2     |

  Scenario: MaxCount is converted the same way
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | MinCount | 1            |
      | MaxCount | 010          |
    Then the launch succeeds
    And the create call has "max_count" equal to 8

  Scenario: A count that is not a number
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | MinCount | many         |
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And the HTTP status is 400

  Scenario: The text None is a null value
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | KernelId     | None         |
      | InstanceType | None         |
    Then the launch succeeds
    And the create call has "kernel_id" equal to null
    And the create call's "instance_type" name is "m1.small"

  Scenario: Only None with a capital N is null
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | none         |
    Then the launch fails with EC2 error "InstanceTypeNotFoundByName" and message "Instance type with name none could not be found."

  Scenario: true and false in any case are booleans
    When I send the EC2 query:
      | Name                                         | Value         |
      | Action                                       | RunInstances  |
      | ImageId                                      | ami-00000001  |
      | BlockDeviceMapping.1.DeviceName              | /dev/vdb      |
      | BlockDeviceMapping.1.Ebs.SnapshotId          | snap-12345678 |
      | BlockDeviceMapping.1.Ebs.DeleteOnTermination | FALSE         |
      | BlockDeviceMapping.2.DeviceName              | /dev/vdc      |
      | BlockDeviceMapping.2.Ebs.NoDevice            | True          |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          | delete_on_termination | no_device |
      | /dev/vdb    | 00000000-1111-2222-3333-444444444444 | false                 |           |
      | /dev/vdc    |                                      |                       | true      |

  Scenario: Numbered parameters become a list ordered as text: 1, 10, 2
    When I send the EC2 query:
      | Name                             | Value        |
      | Action                           | RunInstances |
      | ImageId                          | ami-00000001 |
      | BlockDeviceMapping.1.DeviceName  | /dev/vdb     |
      | BlockDeviceMapping.1.VirtualName | ephemeral0   |
      | BlockDeviceMapping.2.DeviceName  | /dev/vdc     |
      | BlockDeviceMapping.2.VirtualName | swap         |
      | BlockDeviceMapping.10.DeviceName | /dev/vdk     |
      | BlockDeviceMapping.10.VirtualName | ephemeral1  |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | virtual_name |
      | /dev/vdb    | ephemeral0   |
      | /dev/vdk    | ephemeral1   |
      | /dev/vdc    | swap         |

  Scenario: Sizes are converted too
    When I send the EC2 query:
      | Name                                | Value         |
      | Action                              | RunInstances  |
      | ImageId                             | ami-00000001  |
      | BlockDeviceMapping.1.DeviceName     | /dev/vdb      |
      | BlockDeviceMapping.1.Ebs.SnapshotId | snap-12345678 |
      | BlockDeviceMapping.1.Ebs.VolumeSize | 0x10          |
    Then the launch succeeds
    And the block device mapping is:
      | device_name | snapshot_id                          | volume_size | delete_on_termination |
      | /dev/vdb    | 00000000-1111-2222-3333-444444444444 | 16          | true                  |

  Scenario: A snapshot id that the parser turned into a number
    When I send the EC2 query:
      | Name                                | Value        |
      | Action                              | RunInstances |
      | ImageId                             | ami-00000001 |
      | BlockDeviceMapping.1.DeviceName     | /dev/vdb     |
      | BlockDeviceMapping.1.Ebs.SnapshotId | 123          |
    Then the launch fails with EC2 error "UnknownError"
    And there are 0 create calls

  Scenario: An unknown snapshot answers HTTP 400 with its EC2 code
    When I send the EC2 query:
      | Name                                | Value         |
      | Action                              | RunInstances  |
      | ImageId                             | ami-00000001  |
      | BlockDeviceMapping.1.DeviceName     | /dev/vdb      |
      | BlockDeviceMapping.1.Ebs.SnapshotId | snap-000000ff |
    Then the launch fails with EC2 error "SnapshotNotFound" and message "Snapshot snap-000000ff could not be found."
    And the HTTP status is 400

  Scenario: An image id that the parser turned into a number
    When I send the EC2 query:
      | Name    | Value        |
      | Action  | RunInstances |
      | ImageId | 00000001     |
    Then the launch fails with EC2 error "UnknownError"

  Scenario: Without ImageId
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | MinCount | 1            |
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And the HTTP status is 400

  Scenario: Placement.AvailabilityZone reaches compute; the answer names the host's zone
    When I send the EC2 query:
      | Name                       | Value        |
      | Action                     | RunInstances |
      | ImageId                    | ami-00000001 |
      | Placement.AvailabilityZone | zone-a       |
    Then the launch succeeds
    And the create call has "availability_zone" equal to "zone-a"
    And every instance in the response has "placement" equal to {"availabilityZone": "nova"}

  Scenario: Placement without a dotted key is text, not a dict
    When I send the EC2 query:
      | Name      | Value        |
      | Action    | RunInstances |
      | ImageId   | ami-00000001 |
      | Placement | zone-a       |
    Then the launch fails with EC2 error "UnknownError"
    And there are 0 create calls

  Scenario: An instance type name is converted like any value
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | 010          |
    Then the launch fails with EC2 error "InstanceTypeNotFoundByName" and message "Instance type with name 8 could not be found."

  Scenario: Numbered security groups become a list of names
    When I send the EC2 query:
      | Name            | Value        |
      | Action          | RunInstances |
      | ImageId         | ami-00000001 |
      | SecurityGroup.1 | default      |
      | SecurityGroup.2 | web          |
    Then the launch succeeds
    And the create call has "security_group" equal to ["default", "web"]

  Scenario: Kernel, ramdisk, instance type and key name
    When I send the EC2 query:
      | Name         | Value          |
      | Action       | RunInstances   |
      | ImageId      | cirros         |
      | KernelId     | aki-00000002   |
      | RamdiskId    | cirros-ramdisk |
      | InstanceType | m1.tiny        |
      | KeyName      | mykey          |
      | UserData     | aGVsbG8=       |
    Then the launch succeeds
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"
    And the create call has "kernel_id" equal to "155d900f-4e14-4e4c-a73d-069cbf4541e6"
    And the create call has "ramdisk_id" equal to "a440c04b-79fa-479c-bed1-0b816eaec379"
    And the create call's "instance_type" name is "m1.tiny"
    And the create call has "key_name" equal to "mykey"
    And the create call has "user_data" equal to "aGVsbG8="

  Scenario: User data that is not base64
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | UserData | abc          |
    Then the launch fails with EC2 error "UnknownError"
    And there is 1 create call

  Scenario: A repeated parameter keeps its last value
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | MinCount | 1            |
      | MinCount | 2            |
    Then the launch succeeds
    And the create call has "min_count" equal to 2

  Scenario: An action the controller does not have
    When I send the EC2 query:
      | Name    | Value        |
      | Action  | RunInstance  |
      | ImageId | ami-00000001 |
    Then the launch fails with EC2 error "InvalidRequest" and message "The request is invalid."
    And the HTTP status is 400
    And there are 0 create calls

  Scenario: Too many instances, over HTTP
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | ImageId  | ami-00000001 |
      | MinCount | 11           |
    Then the launch fails with EC2 error "TooManyInstances"
    And the HTTP status is 400

  Scenario: An unavailable image, over HTTP
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status queued, container format ami
    When I send the EC2 query:
      | Name    | Value        |
      | Action  | RunInstances |
      | ImageId | ami-00000010 |
    Then the launch fails with EC2 error "EC2APIError" and message "Image must be available"
    And the HTTP status is 400

  Scenario: A query without Action
    # Nova answered a plain HTTP 400 page here; launch-sim answers an EC2 error document.
    When I send the EC2 query:
      | Name    | Value        |
      | ImageId | ami-00000001 |
    Then the launch fails with EC2 error "MissingParameter"
    And the HTTP status is 400
    And there are 0 create calls

  Scenario: Only snake_case parameter names are validated, and then refused
    # Nova's Validator compares snake_case keys with the CamelCase names clients send, so it
    # only ever sees a parameter sent in snake_case. Nova answered a plain HTTP 400 page.
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | image_id | ami-zz       |
    Then the launch fails with EC2 error "InvalidParameterValue"
    And the HTTP status is 400
    And there are 0 create calls

  Scenario: The same bad value in CamelCase passes the Validator and is looked up as a name
    When I send the EC2 query:
      | Name    | Value        |
      | Action  | RunInstances |
      | ImageId | ami-zz       |
    Then the launch fails with EC2 error "ImageNotFound" and message "Image ami-zz could not be found."

  Scenario: A valid snake_case name is accepted
    When I send the EC2 query:
      | Name     | Value        |
      | Action   | RunInstances |
      | image_id | ami-00000001 |
    Then the launch succeeds
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"
    And the response has 1 instance

  Scenario: Timestamp and Expires together
    When I send the EC2 query:
      | Name      | Value                |
      | Action    | RunInstances         |
      | ImageId   | ami-00000001         |
      | Timestamp | 2013-04-04T10:00:00Z |
      | Expires   | 2013-04-04T10:05:00Z |
    Then the launch fails with EC2 error "InvalidParameterValue"
    And the HTTP status is 400
