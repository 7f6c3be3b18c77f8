Feature: ClientToken makes a launch idempotent from Havana on
  Folsom and Grizzly ignore ClientToken. From Havana on, a launch whose token is already on
  an instance answers that reservation as it is now, with no create call, nothing checked
  and nothing stored (other parameters are not compared). A new token is stored on every
  instance of the reservation after the answer is formatted, and only when the launch
  succeeds. Havana looks the token up right after reading MinCount, Icehouse after its
  count checks. Icehouse items carry clientToken, except in the first answer.

  Background:
    Given the default seed

  Scenario Outline: The same token twice (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok-1"}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok-1"}
      """
    Then the launch succeeds
    And there are <calls> create calls
    And every instance in the response has "instanceId" equal to "<instance>"

    Examples:
      | profile  | calls | instance   |
      | folsom   | 1     | i-00000002 |
      | grizzly  | 1     | i-00000002 |
      | havana   | 0     | i-00000001 |
      | icehouse | 0     | i-00000001 |

  Scenario Outline: Tokens 1, 2, 2, 1, 3 (Havana's test_run_instances_idempotent) (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-1"}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-2"}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-2"}
      """
    Then every instance in the response has "instanceId" equal to "i-00000002"
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-1"}
      """
    Then every instance in the response has "instanceId" equal to "i-00000001"
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-3"}
      """
    Then every instance in the response has "instanceId" equal to "i-00000003"

    Examples:
      | profile  |
      | havana   |
      | icehouse |

  Scenario Outline: A replayed token answers the whole reservation, whatever else is asked (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "min_count": 2, "client_token": "tok"}
      """
    And I launch with:
      """
      {"image_id": "ami-000000ff", "instance_type": "m9.huge", "client_token": "tok"}
      """
    Then the launch succeeds
    And there are 0 create calls
    And the instances in the response have "instanceId" equal to ["i-00000001", "i-00000002"] in order

    Examples:
      | profile  |
      | havana   |
      | icehouse |

  Scenario Outline: A failed launch stores no token (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-000000ff", "instance_type": "m1.small", "client_token": "tok"}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok"}
      """
    Then the launch succeeds
    And there is 1 create call

    Examples:
      | profile  |
      | havana   |
      | icehouse |

  Scenario Outline: Without a token nothing is idempotent (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": ""}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": ""}
      """
    Then there is 1 create call
    And every instance in the response has "instanceId" equal to "i-00000002"

    Examples:
      | profile  |
      | havana   |
      | icehouse |

  Scenario Outline: Only Icehouse echoes the token, and not in the first answer (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok"}
      """
    Then every instance in the response has no "clientToken"
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok"}
      """
    Then every instance in the response has <echo>

    Examples:
      | profile  | echo                          |
      | folsom   | no "clientToken"              |
      | grizzly  | no "clientToken"              |
      | havana   | no "clientToken"              |
      | icehouse | "clientToken" equal to "tok"  |

  Scenario Outline: Havana reads MinCount before the token, Icehouse checks the counts first (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok"}
      """
    And I launch with:
      """
      {"image_id": "ami-00000001", "min_count": <min_count>, "client_token": "tok"}
      """
    Then the launch <outcome>

    Examples:
      | profile  | min_count | outcome                                                                                      |
      | havana   | "x"       | fails with EC2 error "ValueError" and message "Unknown error occured."                      |
      | havana   | 0         | succeeds                                                                                     |
      | icehouse | "x"       | fails with EC2 error "ValueError" and message "Unknown error occurred."                     |
      | icehouse | 0         | fails with EC2 error "InvalidInput" and message "Invalid input received: min_count must be >= 1" |

  Scenario Outline: A token that is no regular expression fails once any instance has a token (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "("}
      """
    Then the launch succeeds
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "("}
      """
    Then the launch fails with EC2 error "error" and message "<message>"
    And the HTTP status is 500

    Examples:
      | profile  | message                 |
      | havana   | Unknown error occured.  |
      | icehouse | Unknown error occurred. |

  Scenario Outline: TerminateInstances removes the token: it launches anew (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-3"}
      """
    And I send the EC2 query:
      | Name         | Value              |
      | Action       | TerminateInstances |
      | InstanceId.1 | i-00000001         |
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "client-token-3"}
      """
    Then there is 1 create call
    And every instance in the response has "instanceId" equal to "i-00000002"

    Examples:
      | profile  |
      | havana   |
      | icehouse |

  Scenario Outline: A replay answers the instances of the reservation still there (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "min_count": 2, "client_token": "tok"}
      """
    And I send the EC2 query:
      | Name         | Value              |
      | Action       | TerminateInstances |
      | InstanceId.1 | i-00000001         |
    And I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "client_token": "tok"}
      """
    Then there are 0 create calls
    And the instances in the response have "instanceId" equal to ["i-00000002"] in order

    Examples:
      | profile  |
      | havana   |
      | icehouse |
