"""A misbehaving MCP server over stdio, for tests of ``jobsim verify``'s bounds.

``silent``: reads and never answers. ``hang``: completes the handshake and lists
jobsim's tools, then never answers a tool call. ``close``: the same, but exits at
the first tool call (the connection closes mid-run).
"""

import json
import sys
import time

from jobsim.registry import TOOLS

MODE = sys.argv[1]


def answer(message: dict, result: dict) -> None:
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    message = json.loads(line)
    method = message.get("method")
    if MODE == "silent" or "id" not in message:
        continue
    if method == "initialize":
        answer(
            message,
            {
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "fake", "version": "0"},
            },
        )
    elif method == "tools/list":
        tools = [
            {"name": s.name, "inputSchema": s.input_schema, "outputSchema": s.output_schema}
            for s in TOOLS.values()
        ]
        answer(message, {"tools": tools})
    elif MODE == "close":
        sys.exit(0)
    else:
        time.sleep(3600)
