Feature: An image that is not available
  The EC2 layer refuses an image whose state (properties.image_state over its status) is
  not "available" with "Image must be available": Folsom and Grizzly raise EC2APIError
  (its class name, HTTP 400); Havana raises ImageNotActive with that message (e11834f9a2
  deleted EC2APIError), whose ec2_code is IncorrectState, sent as 400 (an expected error).
  Compute's own check of the Glance status is Grizzly's (Folsom had none): Grizzly answers
  UnknownError, Havana IncorrectState "Image <uuid> is not active."

  Background:
    Given the default seed

  Scenario Outline: The EC2 layer's refusal (<profile>, <state>)
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status active, container format ami and properties:
      | property    | value   |
      | image_state | <state> |
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then the launch fails with EC2 error "<code>" and message "Image must be available"
    And the HTTP status is 400
    And there are 0 create calls

    Examples:
      | profile  | state      | code           |
      | folsom   | decrypting | EC2APIError    |
      | grizzly  | decrypting | EC2APIError    |
      | havana   | decrypting | IncorrectState |
      | icehouse | decrypting | IncorrectState |
      | folsom   | pending    | EC2APIError    |
      | icehouse | pending    | IncorrectState |

  Scenario Outline: An image without status or image_state (Nova's test_run_instances_image_state_none) (<profile>)
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", no status, container format ami
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then the launch fails with EC2 error "<code>" and message "Image must be available"

    Examples:
      | profile  | code           |
      | folsom   | EC2APIError    |
      | grizzly  | EC2APIError    |
      | havana   | IncorrectState |
      | icehouse | IncorrectState |

  Scenario Outline: Compute's check of the Glance status (<profile>)
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status queued, container format ami and properties:
      | property    | value     |
      | image_state | available |
    And the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m1.small"}
      """
    Then there is 1 create call
    And the launch <outcome>

    Examples:
      | profile  | outcome                                                                                                       |
      | folsom   | succeeds                                                                                                      |
      | grizzly  | fails with EC2 error "UnknownError"                                                                           |
      | havana   | fails with EC2 error "IncorrectState" and message "Image 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f is not active." |
      | icehouse | fails with EC2 error "IncorrectState" and message "Image 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f is not active." |
