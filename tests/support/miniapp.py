"""Mini App sign-ins made as Telegram makes them (core.telegram.org/bots/webapps,
"Validating data received via the Mini App"), written from the documentation and not from
the library the server uses, so the two check each other."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

TOKEN = "123456:MINIAPP-TEST-TOKEN"


def sign_init_data(
    *, tg_id: int, token: str = TOKEN, auth_date: int | None = None, **user_fields
) -> str:
    user = {"id": tg_id, "first_name": "Test", "language_code": "ru", **user_fields}
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
    }
    check_string = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def header(init_data: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"tma {init_data}"}
