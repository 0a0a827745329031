"""Parses every response body the e2e suite captured with the models openapi-python-client
generated from openapi.json: a Python app must read all of them without error.

Usage: python parse_responses.py CAPTURE_DIR (with the generated package importable).
"""

import json
import sys
from pathlib import Path

from bakery_api_client import models


def main() -> int:
    directory = Path(sys.argv[1])
    spec = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
    schemas = spec["components"]["schemas"]
    parsed = 0
    failures = []
    for path in sorted(directory.glob("*.json")):
        schema_name = path.name.split(".")[0]
        body = json.loads(path.read_text())
        # A tagged union has no class of its own: its variant is the one the tag names.
        schema = schemas.get(schema_name, {})
        mapping = schema.get("discriminator", {}).get("mapping", {})
        if mapping:
            tag = body.get(schema["discriminator"]["propertyName"])
            schema_name = mapping.get(tag, "").rsplit("/", 1)[-1] or schema_name
        class_name = schema_name.replace("_", "")
        model = getattr(models, class_name, None)
        if model is None:
            failures.append(f"{path.name}: the generated client has no {class_name}")
            continue
        try:
            model.from_dict(body)
        except Exception as error:  # noqa: BLE001 - any failure to parse is the finding
            failures.append(f"{path.name}: {type(error).__name__}: {error}")
            continue
        parsed += 1
    if failures or parsed == 0:
        print("\n".join(failures) or "no captured response to parse", file=sys.stderr)
        return 1
    print(f"Python (openapi-python-client): {parsed} captured responses parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
