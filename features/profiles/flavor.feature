Feature: The flavor compute_api.create is given
  Folsom, Grizzly and Havana pass the flavor's database row as instance_type. Icehouse looks
  the flavor up as a Flavor object (Flavor.get_by_name) and passes obj_to_primitive of it:
  every field of the object but projects, which it never loads, with the persistent
  object's timestamps and deleted flag, each coerced by its field, and the column defaults
  of instance_types for what the seed's row leaves out. launch-sim's rows have no id and no
  times, so the id is 0 and the times are null.

  Background:
    Given the default seed

  Scenario: Icehouse passes the Flavor object's primitive
    Given the "icehouse" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.tiny"}
      """
    Then the launch succeeds
    And the create call has "instance_type" equal to {"id": 0, "name": "m1.tiny", "memory_mb": 512, "vcpus": 1, "root_gb": 0, "ephemeral_gb": 0, "flavorid": "1", "swap": 0, "rxtx_factor": 1.0, "vcpu_weight": 0, "disabled": false, "is_public": true, "extra_specs": {}, "created_at": null, "updated_at": null, "deleted_at": null, "deleted": false}
    And the create call satisfies the schema

  Scenario Outline: The older releases pass the row as the seed has it (<profile>)
    Given the "<profile>" profile
    When I launch with:
      """
      {"image_id": "ami-00000001", "instance_type": "m1.small"}
      """
    Then the launch succeeds
    And the create call has "instance_type" equal to {"name": "m1.small", "flavorid": "2", "memory_mb": 2048, "vcpus": 1, "root_gb": 20, "default": true}
    And the create call satisfies the schema

    Examples:
      | profile |
      | folsom  |
      | grizzly |
      | havana  |
