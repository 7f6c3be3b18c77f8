Feature: The machine image must be available
  Nova reads an image's state from its "image_state" property when it has one (set by
  S3 registration: pending, decrypting, available...), else from its Glance status, where
  "active" reads as "available". Anything but "available" is refused with EC2APIError
  "Image must be available" before compute is called. Compute then checks the Glance
  status itself, so an image that claims "available" but is not active fails there, as
  UnknownError.

  Background:
    Given the default seed

  Scenario Outline: An image that can be launched: <status> with image_state "<image_state>"
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", <status>, container format ami and properties:
      | property    | value         |
      | image_state | <image_state> |
    When I launch the image "ami-00000010"
    Then the launch succeeds
    And the create call has "image_href" equal to "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f"

    Examples:
      | status        | image_state |
      | status active |             |
      | status active | available   |

  Scenario Outline: An image that cannot be launched: <status> with image_state "<image_state>"
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", <status>, container format ami and properties:
      | property    | value         |
      | image_state | <image_state> |
    When I launch the image "ami-00000010"
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And there <create calls>

    Examples:
      | status        | image_state   | code         | message                                                       | create calls       |
      | status queued |               | EC2APIError  | Image must be available                                       | are 0 create calls |
      | status saving |               | EC2APIError  | Image must be available                                       | are 0 create calls |
      | no status     |               | EC2APIError  | Image must be available                                       | are 0 create calls |
      | status active | decrypting    | EC2APIError  | Image must be available                                       | are 0 create calls |
      | status active | pending       | EC2APIError  | Image must be available                                       | are 0 create calls |
      | status active | failed_upload | EC2APIError  | Image must be available                                       | are 0 create calls |
      | status queued | available     | UnknownError | An unknown error has occurred. Please try your request again. | is 1 create call   |

  Scenario: An image without properties fails on the missing key
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status active, container format ami and no properties
    When I launch the image "ami-00000010"
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there are 0 create calls

  Scenario: An image with empty properties is judged by its status
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status active, container format ami
    When I launch the image "ami-00000010"
    Then the launch succeeds
    And the create call has "image_href" equal to "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f"

  Scenario: The image state is checked before the instance type
    Given an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", status active, container format ami and properties:
      | property    | value      |
      | image_state | decrypting |
    When I launch with:
      """
      {"image_id": "ami-00000010", "instance_type": "m9.huge"}
      """
    Then the launch fails with EC2 error "EC2APIError" and message "Image must be available"
