"""Hostile socket clients for test-hostile-inputs.sh; each exits 0 on success.

  stream ADDR           copy stdin to ADDR in 64 KiB pieces, then close
  short ADDR N          N connections, each closed at once without data
  slow ADDR N LINE      N clients at once, each sending "LINE-i\\n" three
                        times one byte per 10 ms
  hold ADDR N FILE      open N connections (those that fail are counted), write
                        "opened=K" to FILE, wait until stdin closes
ADDR is a port on 127.0.0.1 or a unix socket path.
"""
import socket, sys, threading, time


def connect(addr):
    if addr.isdigit():
        return socket.create_connection(("127.0.0.1", int(addr)), timeout=30)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Blocking: with a timeout, a full listen backlog fails at once (EAGAIN)
    # instead of waiting for lifeline to accept.
    s.connect(addr)
    s.settimeout(30)
    return s


mode, addr = sys.argv[1], sys.argv[2]
if mode == "stream":
    s = connect(addr)
    while True:
        b = sys.stdin.buffer.read(65536)
        if not b:
            break
        s.sendall(b)
    s.close()
elif mode == "short":
    for _ in range(int(sys.argv[3])):
        connect(addr).close()
elif mode == "slow":
    def one(i):
        s = connect(addr)
        for b in (f"{sys.argv[4]}-{i}\n" * 3).encode():
            s.send(bytes([b]))
            time.sleep(0.01)
        s.close()
    ts = [threading.Thread(target=one, args=(i,)) for i in range(int(sys.argv[3]))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
elif mode == "hold":
    held, failed = [], 0
    for _ in range(int(sys.argv[3])):
        try:
            held.append(connect(addr))
        except OSError:
            failed += 1
    with open(sys.argv[4] + ".tmp", "w") as f:
        f.write(f"opened={len(held)} failed={failed}\n")
    import os
    os.rename(sys.argv[4] + ".tmp", sys.argv[4])
    sys.stdin.read()
    for s in held:
        s.close()
else:
    sys.exit("unknown mode " + mode)
