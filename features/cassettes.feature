Feature: Replaying cassettes
  A cassette holds recorded launch requests with the store they ran on and what they
  produced. Replaying it (as `launch-sim replay` does) sends every request again, on the
  cassette's own seed, and reports each difference as a JSON pointer into the cassette with
  the recorded and the replayed value. Paths are relative to the project's root directory.
  Replaying a copy with one value changed shows what a change of behaviour looks like.

  Scenario: A recorded launch replays as recorded
    When I replay the cassette "fixtures/cassettes/walkthrough-fake0.json"
    Then every interaction matches
    And 0 interactions differ

  Scenario: Replay needs no network, even for a cassette recorded against Glance
    When I replay the cassette "fixtures/cassettes/glance.json"
    Then every interaction matches

  Scenario: A changed recording is reported at the value that changed
    When I replay the cassette "fixtures/cassettes/walkthrough-fake0.json" with "/interactions/0/create_calls/0/block_device_mapping/0/delete_on_termination" set to false
    Then 1 interaction differs
    And the replay differs at "/interactions/0/create_calls/0/block_device_mapping/0/delete_on_termination": recorded false, replayed true

  Scenario: A changed store changes the create call
    When I replay the cassette "fixtures/cassettes/walkthrough-fake0.json" with "/seed/snapshots/0/uuid" set to "aaaaaaaa-0000-4000-8000-000000000001"
    Then the replay differs at "/interactions/0/create_calls/0/block_device_mapping/0/snapshot_id": recorded "00000000-1111-2222-3333-444444444444", replayed "aaaaaaaa-0000-4000-8000-000000000001"

  Scenario: Only the interaction whose request changed differs
    When I replay the cassette "fixtures/cassettes/errors-lookup.json" with "/interactions/8/request/params/3/1" set to m1.tiny
    Then 1 interaction differs
    And the replay differs at "/interactions/8/response/status": recorded 400, replayed 200
    And the replay differs at "/interactions/8/response/error_code": recorded "InstanceTypeNotFoundByName", replayed null
    And the replay differs at "/interactions/8/response/instance_ids/0": recorded (absent), replayed "i-00000003"

  Scenario: A file that is not a cassette is refused
    When I try to replay the cassette "fixtures/seed/default.json"
    Then the cassette is refused because "not a valid cassette"

  Scenario: A missing cassette is refused
    When I try to replay the cassette "fixtures/cassettes/missing.json"
    Then the cassette is refused because "no such cassette file"

  Scenario: A change that makes the cassette invalid is refused
    When I try to replay the cassette "fixtures/cassettes/walkthrough-fake0.json" with "/interactions/0/response/status" set to "200"
    Then the cassette is refused because "not a valid cassette: /interactions/0/response/status"

  Scenario: A change at a place the cassette does not have is refused
    When I try to replay the cassette "fixtures/cassettes/walkthrough-fake0.json" with "/interactions/1/request" set to {}
    Then the cassette is refused because "/interactions/1/request: no such place in the document"
