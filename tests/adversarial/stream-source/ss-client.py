# Socket clients for the stream-source adversarial cases.  Every wait is
# bounded (60 s); each mode exits 0 on success.
#
#   hold PORT N FIRST FLAGS     N TCP connections, each sends the line
#                               "%010d held" (FIRST, FIRST+1, ...) and stays
#                               open; then FLAGS.connected; at FLAGS.release
#                               all close
#   unix-listen PATH FLAGS      listens on PATH (a foreign process); then
#                               FLAGS.ready; answers connections until
#                               FLAGS.release
#   unix-send PATH              sends stdin to the unix socket PATH
#   unix-answers PATH           exits 0 if something accepts a connection at PATH
#   idle PORT IDLE FLAGS        A sends a partial line, B nothing, C (beyond
#                               max-connections(2)) a line and closes; then
#                               FLAGS.connected; A and B must see EOF, not
#                               before IDLE seconds; at FLAGS.active, D sends
#                               20 lines 0.2 s apart and must not be closed
import os, socket, sys, time

def wait_flag(path, limit=60):
    deadline = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit("no " + path + " within %d s" % limit)
        time.sleep(0.02)

def touch(path):
    open(path, "w").close()

def tcp(port):
    return socket.create_connection(("127.0.0.1", port), timeout=60)

def hold(port, n, first, flags):
    held = []
    for i in range(n):
        s = tcp(port)
        try:
            s.sendall(b"%010d held\n" % (first + i))
        except ConnectionError:
            pass  # lifeline closed it (the test checks what arrived)
        held.append(s)
    touch(flags + ".connected")
    wait_flag(flags + ".release")
    for s in held:
        s.close()

def unix_listen(path, flags):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    s.settimeout(0.05)
    touch(flags + ".ready")
    deadline = time.monotonic() + 120
    while not os.path.exists(flags + ".release") and time.monotonic() < deadline:
        try:
            c, _ = s.accept()
            c.close()
        except socket.timeout:
            pass
    s.close()

def unix_send(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    s.sendall(sys.stdin.buffer.read())
    s.close()

def unix_answers(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.close()

def idle(port, idle_s, flags):
    a = tcp(port)
    a.sendall(b"0000000001 partial")
    t_a = time.monotonic()
    b = tcp(port)
    t_b = time.monotonic()
    c = tcp(port)
    c.sendall(b"0000000002 waiting\n")
    c.close()
    touch(flags + ".connected")
    for name, s, t in (("A", a, t_a), ("B", b, t_b)):
        s.settimeout(60)
        if s.recv(1) != b"":
            sys.exit(name + " received data")
        waited = time.monotonic() - t
        if waited < idle_s - 0.1:
            sys.exit("%s closed after %.2f s, before idle-timeout(%g)" % (name, waited, idle_s))
        s.close()
    wait_flag(flags + ".active")
    d = tcp(port)
    for i in range(20):
        d.sendall(b"%010d active\n" % (100 + i))
        time.sleep(0.2)
    d.close()

mode = sys.argv[1]
if mode == "hold":
    hold(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
elif mode == "idle":
    idle(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
elif mode == "unix-listen":
    unix_listen(sys.argv[2], sys.argv[3])
elif mode == "unix-send":
    unix_send(sys.argv[2])
elif mode == "unix-answers":
    unix_answers(sys.argv[2])
else:
    sys.exit("unknown mode " + mode)
