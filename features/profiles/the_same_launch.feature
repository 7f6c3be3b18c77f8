Feature: The same launch under each profile
  A profile makes launch-sim answer as one Nova release: folsom (2012.2.4), grizzly
  (2013.1.5, the default), havana (2013.2.4) or icehouse (2014.1.5). The pattern to copy:
  one Scenario Outline, the profile as the first Given after the store, one Examples row
  per release with the columns where the releases differ.

  Background:
    Given the default seed

  Scenario Outline: A launch naming its flavor makes the same create call in every release (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name                                 | Value         |
      | Action                               | RunInstances  |
      | ImageId                              | ami-00000001  |
      | InstanceType                         | m1.small      |
      | MinCount                             | 1             |
      | MaxCount                             | 1             |
      | BlockDeviceMapping.1.DeviceName      | /dev/vdb      |
      | BlockDeviceMapping.1.Ebs.SnapshotId  | vol-87654321  |
      | BlockDeviceMapping.1.Ebs.VolumeSize  | 1             |
    Then the launch succeeds
    And the HTTP status is 200
    And the create call satisfies the schema
    And the create call's "instance_type" name is "m1.small"
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"
    And the block device mapping is:
      | device_name | volume_id                            | volume_size | delete_on_termination |
      | /dev/vdb    | 22222222-3333-4444-5555-666666666666 | 1           | true                  |
    And every instance in the response has "instanceId" equal to "i-00000001"
    And every instance in the response has "instanceType" equal to "m1.small"

    Examples:
      | profile  |
      | folsom   |
      | grizzly  |
      | havana   |
      | icehouse |

  Scenario Outline: Without InstanceType, Icehouse looks up the flavor named None (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name    | Value        |
      | Action  | RunInstances |
      | ImageId | ami-00000001 |
    Then the HTTP status is <status>
    And there are <calls> create calls
    And the launch <outcome>

    Examples:
      | profile  | status | calls | outcome                                                                                             |
      | folsom   | 200    | 1     | succeeds                                                                                            |
      | grizzly  | 200    | 1     | succeeds                                                                                            |
      | havana   | 200    | 1     | succeeds                                                                                            |
      | icehouse | 404    | 0     | fails with EC2 error "FlavorNotFoundByName" and message "Flavor with name None could not be found." |

  Scenario Outline: An omitted InstanceType is the default flavor before Icehouse (<profile>)
    Given the "<profile>" profile
    When I launch the image "ami-00000001"
    Then the launch succeeds
    And the create call's "instance_type" name is "m1.small"

    Examples:
      | profile |
      | folsom  |
      | grizzly |
      | havana  |

  Scenario Outline: InstanceType=None is no name either (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | None         |
    Then the HTTP status is <status>

    Examples:
      | profile  | status |
      | folsom   | 200    |
      | grizzly  | 200    |
      | havana   | 200    |
      | icehouse | 404    |
