Feature: What the RunInstances answer says about each instance
  _format_instances writes each instance of the reservation. Folsom's compute numbers every
  instance 0 (launch_index, d2cd7164c8 came in Grizzly). The zone is never the one asked
  for but the host's (get_availability_zone_by_host): for an instance no host runs yet,
  Grizzly on finds no aggregate and says the default zone, Folsom finds no service row and
  says "unknown zone". Havana (050aa2bcbd)
  drops publicDnsName, writes ipAddress only for a floating address and dnsName from the
  floating address alone, and always writes tagSet.

  Background:
    Given the default seed

  Scenario Outline: amiLaunchIndex of two instances (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "min_count": 2}
      """
    Then the instances in the response have "amiLaunchIndex" equal to <indexes> in order

    Examples:
      | profile  | indexes |
      | folsom   | [0, 0]  |
      | grizzly  | [0, 1]  |
      | havana   | [0, 1]  |
      | icehouse | [0, 1]  |

  Scenario Outline: The zone of an instance not scheduled yet (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small", "placement": {"availability_zone": "nova:launch-sim"}}
      """
    Then every instance in the response has "placement" equal to {"availabilityZone": "<zone>"}

    Examples:
      | profile  | zone         |
      | folsom   | unknown zone |
      | grizzly  | nova         |
      | havana   | nova         |
      | icehouse | nova         |

  Scenario Outline: Folsom's and Grizzly's address fields of an instance without addresses (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small"}
      """
    Then every instance in the response has "privateIpAddress" equal to null
    And every instance in the response has "publicDnsName" equal to null
    And every instance in the response has "ipAddress" equal to null

    Examples:
      | profile |
      | folsom  |
      | grizzly |

  Scenario Outline: Havana's: no publicDnsName, no ipAddress, an empty dnsName (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small"}
      """
    Then every instance in the response has "privateIpAddress" equal to null
    And every instance in the response has no "publicDnsName"
    And every instance in the response has no "ipAddress"
    And every instance in the response has "dnsName" equal to null

    Examples:
      | profile  |
      | havana   |
      | icehouse |

  Scenario Outline: tagSet, empty for an instance without metadata (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small"}
      """
    Then every instance in the response has <tag_set>

    Examples:
      | profile  | tag_set                 |
      | folsom   | no "tagSet"             |
      | grizzly  | no "tagSet"             |
      | havana   | "tagSet" equal to []    |
      | icehouse | "tagSet" equal to []    |
