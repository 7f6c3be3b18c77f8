Feature: Finding the machine image
  Nova first reads the image id as an EC2 id (hexadecimal after the last dash) and looks up
  its s3 mapping row; if the id is not valid hex or has no row, it looks for an image of
  that name instead and takes the first one, without any type check. An image found by
  id must have the type its prefix says (ami, aki, ari; case-sensitive), else it is
  ImageNotFound with no name fallback.

  Background:
    Given the default seed

  Scenario: An image found by name
    When I launch the image "cirros"
    Then the launch succeeds
    And the create call has "image_href" equal to "70a599e0-31e7-49b7-b260-868f441e862b"
    And every instance in the response has "imageId" equal to "ami-00000001"

  Scenario: An image without an EC2 id gets the next one when found by name
    Given an image "fedora" with uuid 5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f, no ec2 id, status active, container format bare
    When I launch the image "fedora"
    Then the launch succeeds
    And the create call has "image_href" equal to "5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f"
    And every instance in the response has "imageId" equal to "ami-00000004"

  Scenario: Of two images with one name the oldest is launched, and both get EC2 ids
    Given an image "dup" with uuid 11111111-aaaa-4aaa-8aaa-111111111111, no ec2 id, status active, container format ami
    And an image "dup" with uuid 22222222-aaaa-4aaa-8aaa-222222222222, no ec2 id, status active, container format ami
    When I launch the image "dup"
    Then the launch succeeds
    And the create call has "image_href" equal to "11111111-aaaa-4aaa-8aaa-111111111111"
    And every instance in the response has "imageId" equal to "ami-00000004"
    When I launch the image "ami-00000005"
    Then the launch succeeds
    And the create call has "image_href" equal to "22222222-aaaa-4aaa-8aaa-222222222222"

  Scenario: A name lookup does not check the image type
    When I launch the image "cirros-kernel"
    Then the launch succeeds
    And the create call has "image_href" equal to "155d900f-4e14-4e4c-a73d-069cbf4541e6"
    And every instance in the response has "imageId" equal to "ami-00000002"

  Scenario: A name that is valid hex for a missing row falls back to the name
    Given an image "b" with uuid 5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f, no ec2 id, status active, container format ami
    When I launch the image "b"
    Then the launch succeeds
    And the create call has "image_href" equal to "5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f"

  Scenario: A name that is valid hex for an existing row fails the type check
    Given an image "a" with uuid 5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f, ec2 id "ami-0000000a", status active, container format ami
    When I launch the image "a"
    Then the launch fails with EC2 error "ImageNotFound" and message "Image a could not be found."

  Scenario: The bare container format counts as a machine image
    Given an image "fedora" with uuid 5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f, ec2 id "ami-00000010", status active, container format bare
    When I launch the image "ami-00000010"
    Then the launch succeeds
    And the create call has "image_href" equal to "5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f"

  Scenario Outline: An image that cannot be found: <case>
    When I launch the image "<image_id>"
    Then the launch fails with EC2 error "ImageNotFound" and message "Image <image_id> could not be found."
    And the HTTP status is 400
    And there are 0 create calls

    Examples:
      | case                                  | image_id      |
      | no such row                           | ami-000000ff  |
      | not hex and no such name              | ami-fake      |
      | aki- prefix on a machine image        | aki-00000001  |
      | ami- prefix on a kernel image         | ami-00000002  |
      | ami- prefix on a ramdisk image        | ami-00000003  |
      | the prefix is case-sensitive          | AMI-00000001  |

  Scenario Outline: An image id that is not text: <case>
    When I launch with:
      """
      <kwargs>
      """
    Then the launch fails with EC2 error "UnknownError" and message "An unknown error has occurred. Please try your request again."
    And there are 0 create calls

    Examples:
      | case             | kwargs                           |
      | no image id      | {}                               |
      | a null image id  | {"image_id": null}               |
      | a number         | {"image_id": 16}                 |
