Feature: The launch conversation: an instance from launch to termination
  Nova's compute API only starts work; the compute manager finishes it later. launch-sim
  finishes the work a request starts when a later request reads the instance, so an
  instance is pending in RunInstances' answer and running at the next request, stopped
  after a stop, running after a start or a reboot. Nova never shows an instance as
  terminated in DescribeInstances: it keeps its state while the delete runs, and the
  instance is gone once the delete is done, so describing it fails (Grizzly's
  InstanceNotFound, Havana's InvalidInstanceID.NotFound with HTTP 404).

  Background:
    Given the default seed

  Scenario: Launch, stop, start, reboot and terminate an instance (Grizzly)
    When I launch the image "ami-00000001"
    Then the instance "i-00000001" is "pending"
    When I describe the instances
    Then the instance "i-00000001" is "running"
    When I stop the instance "i-00000001"
    And I describe the instance "i-00000001"
    Then the instance "i-00000001" is "stopped"
    When I start the instance "i-00000001"
    And I describe the instance "i-00000001"
    Then the instance "i-00000001" is "running"
    When I reboot the instance "i-00000001"
    And I describe the instances
    Then the instance "i-00000001" is "running"
    When I terminate the instance "i-00000001"
    Then the instance "i-00000001" is "running"
    When I describe the instances
    Then the instance "i-00000001" is not listed
    When I describe the instance "i-00000001"
    Then the request fails with EC2 error "InstanceNotFound"
    And the HTTP status is 400
    And the compute calls are:
      | method |
      | create |
      | stop   |
      | start  |
      | reboot |
      | delete |

  Scenario: A terminated instance is not found (Havana)
    Given the "havana" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | MinCount     | 1            |
      | MaxCount     | 1            |
    Then the instance "i-00000001" is "pending"
    When I describe the instance "i-00000001"
    Then the instance "i-00000001" is "running"
    When I terminate the instance "i-00000001"
    And I describe the instance "i-00000001"
    Then the request fails with EC2 error "InvalidInstanceID.NotFound"
    And the HTTP status is 404
    And the compute calls are:
      | method |
      | create |
      | delete |

  Scenario Outline: One instance named twice in one stop (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | MinCount     | 2            |
      | MaxCount     | 2            |
    And I describe the instances
    And I send the EC2 query:
      | Name         | Value         |
      | Action       | StopInstances |
      | InstanceId.1 | i-00000001    |
      | InstanceId.2 | i-00000001    |
      | InstanceId.3 | i-00000002    |
    Then the <outcome>
    And the HTTP status is <status>
    When I describe the instance "i-00000002"
    Then the instance "i-00000002" is "<second>"

    Examples:
      | profile  | outcome                                                 | status | second  |
      | grizzly  | request fails with EC2 error "UnknownError"             | 400    | running |
      | havana   | request succeeds                                        | 200    | stopped |
      | icehouse | request fails with EC2 error "UnexpectedTaskStateError" | 500    | running |
