"""The local API Gateway front's own behaviour (no functions invoked)."""

from __future__ import annotations

from typing import Any

from pitboss_local.apigw import _Handler


def test_access_log_lines_carry_no_query_string() -> None:
    """Verify links put their token in ?hash=: the access log shows the path only, as the deployed one."""
    handler: Any = _Handler.__new__(_Handler)
    handler.command, handler.path, handler.quiet = "POST", "/gateway/admission/v1/verify/email/1?hash=s3cret", False
    lines: list[str] = []
    handler.log_message = lambda fmt, *args: lines.append(fmt % args)
    handler.log_request(200, 42)
    assert lines == ['"POST /gateway/admission/v1/verify/email/1" 200 42']
