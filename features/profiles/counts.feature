Feature: MinCount and MaxCount
  Folsom, Grizzly and Havana do not check the counts in the EC2 layer: compute reads a
  falsy min_count as 1 and a falsy max_count as min_count, and builds max_count instances
  when it is below min_count. Icehouse (92ed0d9399) reads both counts first, checks each is
  at least 1, then min <= max, all as InvalidInput (not in its Executor's list: the class
  name, HTTP 400 and the message). MaxCount is read there, before anything else.

  Background:
    Given the default seed

  Scenario Outline: MinCount=<min_count> MaxCount=<max_count> (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | MinCount     | <min_count>  |
      | MaxCount     | <max_count>  |
    Then the HTTP status is <status>
    And the launch <outcome>

    Examples:
      | profile  | min_count | max_count | status | outcome                                                                                          |
      | folsom   | 0         | 1         | 200    | succeeds                                                                                         |
      | grizzly  | 0         | 1         | 200    | succeeds                                                                                         |
      | havana   | 0         | 1         | 200    | succeeds                                                                                         |
      | icehouse | 0         | 1         | 400    | fails with EC2 error "InvalidInput" and message "Invalid input received: min_count must be >= 1" |
      | grizzly  | 1         | 0         | 200    | succeeds                                                                                         |
      | havana   | 1         | 0         | 200    | succeeds                                                                                         |
      | icehouse | 1         | 0         | 400    | fails with EC2 error "InvalidInput" and message "Invalid input received: max_count must be >= 1" |
      | icehouse | -1        | 0         | 400    | fails with EC2 error "InvalidInput" and message "Invalid input received: min_count must be >= 1" |
      | grizzly  | 2         | 1         | 200    | succeeds                                                                                         |
      | havana   | 2         | 1         | 200    | succeeds                                                                                         |
      | icehouse | 2         | 1         | 400    | fails with EC2 error "InvalidInput" and message "min_count must be <= max_count"                 |
      | icehouse | 2         | 3         | 200    | succeeds                                                                                         |

  Scenario Outline: MaxCount below MinCount builds MaxCount instances before Icehouse (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "min_count": 2, "max_count": 1}
      """
    Then the response has 1 instance
    And the create call has "min_count" equal to 2
    And the create call has "max_count" equal to 1

    Examples:
      | profile |
      | folsom  |
      | grizzly |
      | havana  |

  Scenario Outline: A MaxCount that is no number fails where it is read (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-000000ff |
      | InstanceType | m1.small     |
      | MaxCount     | abc          |
    Then the launch fails with EC2 error "<code>"
    And the HTTP status is <status>

    Examples:
      | profile  | code          | status |
      | folsom   | ImageNotFound | 400    |
      | grizzly  | ImageNotFound | 400    |
      | havana   | ImageNotFound | 404    |
      | icehouse | ValueError    | 500    |

  Scenario Outline: Icehouse checks the counts before the kernel, the mappings and the image (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-000000ff", "kernel_id": "aki-000000ff", "min_count": 0,
       "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-000000ff"}}]}
      """
    Then the launch fails with EC2 error "<code>"

    Examples:
      | profile  | code          |
      | havana   | ImageNotFound |
      | icehouse | InvalidInput  |
