Feature: The error envelope of each release: code, HTTP status and message
  Folsom and Grizzly answer every error with HTTP 400 and the exception's class name, and
  anything their Executor does not list as UnknownError with "An unknown error has occurred.
  Please try your request again." Havana (ec2_error_ex) uses the exception's ec2_code where
  it has one, its code as the HTTP status (an expected error of 500 or more is sent as 400),
  and answers an unexpected exception with its own class name and status (500 for Python's
  own), keeping its message only below 500: else "Unknown error occured." (sic). Icehouse
  spells it "Unknown error occurred."

  Background:
    Given the default seed

  Scenario Outline: A missing snapshot: its code and status (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name                                | Value         |
      | Action                              | RunInstances  |
      | ImageId                             | ami-00000001  |
      | InstanceType                        | m1.small      |
      | BlockDeviceMapping.1.DeviceName     | /dev/vdb      |
      | BlockDeviceMapping.1.Ebs.SnapshotId | snap-000000ff |
    Then the launch fails with EC2 error "<code>" and message "Snapshot snap-000000ff could not be found."
    And the HTTP status is <status>

    Examples:
      | profile  | code                       | status |
      | grizzly  | SnapshotNotFound           | 400    |
      | havana   | InvalidSnapshotID.NotFound | 404    |
      | icehouse | InvalidSnapshotID.NotFound | 404    |

  Scenario Outline: A missing image: no ec2_code, NotFound's 404 from Havana on (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-000000ff |
      | InstanceType | m1.small     |
    Then the launch fails with EC2 error "ImageNotFound" and message "Image ami-000000ff could not be found."
    And the HTTP status is <status>

    Examples:
      | profile  | status |
      | folsom   | 400    |
      | grizzly  | 400    |
      | havana   | 404    |
      | icehouse | 404    |

  Scenario Outline: An unknown flavor (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m9.huge      |
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is <status>
    And there are 0 create calls

    Examples:
      | profile  | code                       | status | message                                         |
      | folsom   | InstanceTypeNotFoundByName | 400    | Instance type with name m9.huge could not be found. |
      | grizzly  | InstanceTypeNotFoundByName | 400    | Instance type with name m9.huge could not be found. |
      | havana   | InstanceTypeNotFoundByName | 404    | Instance type with name m9.huge could not be found. |
      | icehouse | FlavorNotFoundByName       | 404    | Flavor with name m9.huge could not be found.        |

  Scenario Outline: A missing ImageId is a KeyError: unexpected in every release (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | InstanceType | m1.small     |
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is <status>

    Examples:
      | profile  | code         | status | message                                                       |
      | folsom   | UnknownError | 400    | An unknown error has occurred. Please try your request again. |
      | grizzly  | UnknownError | 400    | An unknown error has occurred. Please try your request again. |
      | havana   | KeyError     | 500    | Unknown error occured.                                        |
      | icehouse | KeyError     | 500    | Unknown error occurred.                                       |

  Scenario Outline: A MinCount that is no number is a ValueError (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | MinCount     | abc          |
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is <status>

    Examples:
      | profile  | code         | status | message                                                       |
      | folsom   | UnknownError | 400    | An unknown error has occurred. Please try your request again. |
      | grizzly  | UnknownError | 400    | An unknown error has occurred. Please try your request again. |
      | havana   | ValueError   | 500    | Unknown error occured.                                        |
      | icehouse | ValueError   | 500    | Unknown error occurred.                                       |

  Scenario Outline: A Nova exception of code 500 that is not expected keeps no message (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "user_data": "not base64!"}
      """
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is <status>
    And there is 1 create call

    Examples:
      | profile  | code                      | status | message                                                       |
      | folsom   | UnknownError              | 400    | An unknown error has occurred. Please try your request again. |
      | grizzly  | UnknownError              | 400    | An unknown error has occurred. Please try your request again. |
      | havana   | InstanceUserDataMalformed | 500    | Unknown error occured.                                        |
      | icehouse | InstanceUserDataMalformed | 500    | Unknown error occurred.                                       |

  Scenario Outline: The quota: QuotaError's 413 and ResourceLimitExceeded from Havana on (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | MinCount     | 11           |
    Then the launch fails with EC2 error "<code>" and message "Quota exceeded for instances: Requested 11, but already used 0 of 10 instances"
    And the HTTP status is <status>

    Examples:
      | profile  | code                  | status |
      | folsom   | TooManyInstances      | 400    |
      | grizzly  | TooManyInstances      | 400    |
      | havana   | ResourceLimitExceeded | 413    |
      | icehouse | ResourceLimitExceeded | 413    |

  Scenario Outline: From Havana on the quota message names the range asked for (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | MinCount     | 11           |
      | MaxCount     | 12           |
    Then the launch fails with EC2 error "<code>" and message "Quota exceeded for instances: Requested <requested>, but already used 0 of 10 instances"

    Examples:
      | profile  | code                  | requested |
      | folsom   | TooManyInstances      | 11        |
      | grizzly  | TooManyInstances      | 11        |
      | havana   | ResourceLimitExceeded | 11-12     |
      | icehouse | ResourceLimitExceeded | 11-12     |

  Scenario Outline: A disabled flavor is not found by compute (<profile>)
    Given the instance types:
      | name   | flavorid | memory_mb | vcpus | root_gb | disabled |
      | m1.off | "42"     | 512       | 1     | 0       | true     |
    And the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.off       |
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is <status>
    And there is 1 create call

    Examples:
      | profile  | code                 | status | message                               |
      | folsom   | InstanceTypeNotFound | 400    | Instance type 42 could not be found. |
      | grizzly  | InstanceTypeNotFound | 400    | Instance type 42 could not be found. |
      | havana   | InstanceTypeNotFound | 404    | Instance type 42 could not be found. |
      | icehouse | FlavorNotFound       | 404    | Flavor 42 could not be found.        |

  Scenario Outline: A flavor too small for the image (<profile>)
    Given the store is seeded with:
      """
      {"images": [{"ec2_id": "ami-00000010", "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
                   "name": "big", "status": "active", "container_format": "ami",
                   "min_ram": 4096, "properties": {}}]}
      """
    And the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000010 |
      | InstanceType | m1.small     |
    Then the launch fails with EC2 error "<code>" and message "<message>"
    And the HTTP status is <status>

    Examples:
      | profile  | code                       | status | message                                                       |
      | folsom   | UnknownError               | 400    | An unknown error has occurred. Please try your request again. |
      | grizzly  | UnknownError               | 400    | An unknown error has occurred. Please try your request again. |
      | havana   | InstanceTypeMemoryTooSmall | 500    | Unknown error occured.                                        |
      | icehouse | FlavorMemoryTooSmall       | 500    | Unknown error occurred.                                       |

  Scenario Outline: A request Requestify cannot read escapes to FaultWrapper (<profile>)
    An empty Timestamp is not checked, but Requestify still needs the key.
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name             | Value                |
      | Action           | RunInstances         |
      | ImageId          | ami-00000001         |
      | AWSAccessKeyId   | demo                 |
      | Signature        | x                    |
      | SignatureVersion | two                  |
      | SignatureMethod  | HmacSHA256           |
      | Version          | 2012-08-15           |
      | Timestamp        |                      |
    Then the launch fails with EC2 error "<code>"
    And the HTTP status is <status>

    Examples:
      | profile  | code                    | status |
      | grizzly  | UnknownError            | 400    |
      | havana   | HTTPInternalServerError | 500    |
      | icehouse | HTTPInternalServerError | 500    |

  Scenario: Folsom's FaultWrapper answer: launch-sim's UnknownError (Folsom checks no time)
    Given the "folsom" profile
    When I send the EC2 query:
      | Name             | Value                |
      | Action           | RunInstances         |
      | ImageId          | ami-00000001         |
      | AWSAccessKeyId   | demo                 |
      | Signature        | x                    |
      | SignatureVersion | two                  |
      | SignatureMethod  | HmacSHA256           |
      | Version          | 2012-08-15           |
      | Timestamp        | 2001-01-01T00:00:00Z |
    Then the launch fails with EC2 error "UnknownError"
    And the HTTP status is 400

  Scenario Outline: An instance nobody launched: Havana's ec2_code and 404 (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value              |
      | Action       | TerminateInstances |
      | InstanceId.1 | i-000000ff         |
    Then the launch fails with EC2 error "<code>" and message "Instance i-000000ff could not be found."
    And the HTTP status is <status>

    Examples:
      | profile  | code                       | status |
      | folsom   | InstanceNotFound           | 400    |
      | grizzly  | InstanceNotFound           | 400    |
      | havana   | InvalidInstanceID.NotFound | 404    |
      | icehouse | InvalidInstanceID.NotFound | 404    |

  Scenario Outline: A Version whose namespace is no URI: Havana's re-parse fails after the launch (<profile>)
    lxml parsed minidom's answer again and refused the namespace (XMLSyntaxError, code 99);
    ec2_error_ex sent that code as the status, which webob refused: FaultWrapper's 500.
    Folsom and Grizzly wrote the document as it was.
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | Version      | 2013 10 15   |
    Then the launch fails with EC2 error "HTTPInternalServerError"
    And the HTTP status is 500
    And there is 1 create call

    Examples:
      | profile  |
      | havana   |
      | icehouse |
