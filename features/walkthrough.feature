Feature: smoke
  Scenario: defaults
    When I launch the image "ami-00000001"
    Then the launch succeeds
    And the create call has "block_device_mapping" equal to {}
    And the create call's "instance_type" name is "m1.small"
