#!/usr/bin/env python3
"""Writes N signed Digistore24 order-form notices, one form body per line, each with its own order id.

The signature sits in the form body (sha_sign), so bodies are signed here, before the load starts, and wrk only
cycles through them. Usage: sign_bodies.py <count> <passphrase> <prefix> > bodies.txt
"""
import hashlib
import sys
import urllib.parse

count, passphrase, prefix = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = sys.stdout
for i in range(count):
    fields = {
        "event": "order_form_data_entered",
        "ipn_version": "1.6",
        "order_id": f"{prefix}{i:07d}",
        "order_date_time": "2026-11-20 14:02:11",
        "product_id": str(512340 + i % 7),
        "product_name": "Video Course Pro",
        "currency": "EUR",
        "amount": "197.00",
        "email": f"{prefix}buyer{i}@example.com",
        "address_first_name": "Jane",
        "address_last_name": "Doe",
        "address_country": "DE",
        "newsletter_choice": "yes",
    }
    text = "".join(f"{k}={fields[k]}{passphrase}" for k in sorted(fields, key=lambda k: k.encode()))
    fields["sha_sign"] = hashlib.sha512(text.encode()).hexdigest().upper()
    out.write(urllib.parse.urlencode(fields) + "\n")
