"""The AWS CLI as the tests run it: the venv's ``aws``, pointed at a launch-sim endpoint,
isolated from the user's own configuration and credentials."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def aws_cli() -> Path | None:
    """The ``aws`` beside this Python (the test extra installs it), else one on PATH."""
    beside_python = Path(sys.executable).parent / "aws"
    if beside_python.exists():
        return beside_python
    found = shutil.which("aws")
    return Path(found) if found else None


def run_aws(
    tmp_path: Path,
    endpoint: str,
    *arguments: str,
    access_key: str = "admin",
    secret: str = "admin",
) -> subprocess.CompletedProcess[str]:
    """``aws ec2 ARGUMENTS`` against ``endpoint`` in region ``nova``, JSON output, with no
    config or credentials file, metadata service or pager of the machine's."""
    executable = aws_cli()
    assert executable is not None
    nowhere = str(tmp_path / "no-such-aws-file")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_CONFIG_FILE": nowhere,
        "AWS_SHARED_CREDENTIALS_FILE": nowhere,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    }
    return subprocess.run(
        [
            str(executable),
            "ec2",
            *arguments,
            "--endpoint-url",
            endpoint,
            "--region",
            "nova",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
