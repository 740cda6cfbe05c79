#!/usr/bin/python3
# Nhịp — an independent MLLP receiver written with python-hl7's hl7.mllp asyncio module.
# It prints "PORT <n>" once listening on 127.0.0.1, then one line per message received:
#   RECV <tab> MSH-10 <tab> PID-5-1 <tab> PID-5-2 <tab> OBX-5
# It answers AA, or AE when MSH-10 starts with "PYREJECT", and stops when stdin closes.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import asyncio
import sys

import hl7
from hl7.mllp import start_hl7_server


def field(message, *path):
    # an ADT message has no OBX: print an empty value rather than drop the connection
    try:
        return message.extract_field(*path)
    except (KeyError, IndexError):
        return ""


async def process(reader, writer):
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            control_id = str(message.extract_field("MSH", 1, 10))
            family = field(message, "PID", 1, 5, 1, 1)
            given = field(message, "PID", 1, 5, 1, 2)
            value = field(message, "OBX", 1, 5)
            print("RECV\t%s\t%s\t%s\t%s" % (control_id, family, given, value), flush=True)
            code = "AE" if control_id.startswith("PYREJECT") else "AA"
            writer.writemessage(message.create_ack(ack_code=code))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def main():
    server = await start_hl7_server(process, host="127.0.0.1", port=0, encoding="utf-8")
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
