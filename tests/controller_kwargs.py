"""The keyword arguments Nova's ``CloudController.run_instances`` reads, for tests that vary
them: one list, so the fuzzers and the value tests cannot drift apart."""

RUN_INSTANCES_KWARGS = (
    "image_id",
    "min_count",
    "max_count",
    "kernel_id",
    "ramdisk_id",
    "instance_type",
    "key_name",
    "user_data",
    "security_group",
    "placement",
    "block_device_mapping",
    "client_token",
)
