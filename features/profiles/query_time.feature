Feature: Timestamp and Expires
  Grizzly's Requestify (is_ec2_timestamp_expired, 2013.1.5) refuses a query whose Timestamp
  is more than 300 seconds off, whose Expires is past, or whose time it cannot parse
  (launch-sim: RequestExpired, HTTP 403), and a query with both (HTTP 400); Havana and
  Icehouse do the same. Folsom checked no time: Timestamp is only a key Requestify pops.

  Background:
    Given the default seed

  Scenario Outline: A stale or unreadable Timestamp (<profile>, <timestamp>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m1.small     |
      | Timestamp    | <timestamp>  |
    Then the HTTP status is <status>

    Examples:
      | profile  | timestamp            | status |
      | folsom   | 2001-01-01T00:00:00Z | 200    |
      | grizzly  | 2001-01-01T00:00:00Z | 403    |
      | havana   | 2001-01-01T00:00:00Z | 403    |
      | icehouse | 2001-01-01T00:00:00Z | 403    |
      | folsom   | yesterday            | 200    |
      | grizzly  | yesterday            | 403    |
      | icehouse | yesterday            | 403    |

  Scenario Outline: A past Expires (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value                |
      | Action       | RunInstances         |
      | ImageId      | ami-00000001         |
      | InstanceType | m1.small             |
      | Expires      | 2001-01-01T00:00:00Z |
    Then the HTTP status is <status>

    Examples:
      | profile  | status |
      | folsom   | 200    |
      | grizzly  | 403    |
      | havana   | 403    |
      | icehouse | 403    |

  Scenario Outline: Timestamp and Expires together (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name         | Value                |
      | Action       | RunInstances         |
      | ImageId      | ami-00000001         |
      | InstanceType | m1.small             |
      | Timestamp    | 2001-01-01T00:00:00Z |
      | Expires      | 2099-01-01T00:00:00Z |
    Then the HTTP status is <status>

    Examples:
      | profile  | status |
      | folsom   | 200    |
      | grizzly  | 400    |
      | havana   | 400    |
      | icehouse | 400    |

  Scenario Outline: A query-signed request still needs its Timestamp key (<profile>)
    Given the "<profile>" profile
    When I send the EC2 query:
      | Name             | Value        |
      | Action           | RunInstances |
      | ImageId          | ami-00000001 |
      | AWSAccessKeyId   | demo         |
      | Signature        | x            |
      | SignatureVersion | 2            |
      | SignatureMethod  | HmacSHA256   |
      | Version          | 2012-08-15   |
    Then the HTTP status is 400

    Examples:
      | profile  |
      | folsom   |
      | grizzly  |
