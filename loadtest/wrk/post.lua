-- wrk: POST a fixed 12-byte body (BODY in the environment overrides it).
wrk.method = "POST"
wrk.body = os.getenv("BODY") or "hello, world"
wrk.headers["Content-Type"] = "application/octet-stream"
