#!/usr/bin/env python3
"""Traffic probe for the kuma-init netns tests (Node cannot call getsockopt).

serve NAME:PROTO:ADDR:PORT ...
    One thread per listener. A TCP listener answers every connection with one
    line "NAME <original destination>", the destination being what
    SO_ORIGINAL_DST reports (the address the client dialled before a REDIRECT;
    the listener's own address when nothing was redirected). A UDP listener
    answers every datagram with "NAME". PROTO "hold" is a TCP listener that
    accepts and never answers (a proxy that does not forward). Prints "ready"
    once all are bound and runs until killed.

tcp ADDR PORT [--bind SRC]    connect, print the answer line (or "ERROR ...")
udp ADDR PORT                 send one datagram, print the answer (or "ERROR ...")

Every socket operation is bounded by TIMEOUT seconds, so a lost packet fails
fast instead of hanging the suite.
"""
import socket
import struct
import sys
import threading

TIMEOUT = 2.0
SO_ORIGINAL_DST = 80  # linux/netfilter_ipv4.h; IP6T_SO_ORIGINAL_DST has the same value
SOL_IPV6 = 41


def family_of(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def original_destination(conn):
    if conn.family == socket.AF_INET:
        raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)  # struct sockaddr_in
        port = struct.unpack('!H', raw[2:4])[0]
        return '%s:%d' % (socket.inet_ntop(socket.AF_INET, raw[4:8]), port)
    raw = conn.getsockopt(SOL_IPV6, SO_ORIGINAL_DST, 28)  # struct sockaddr_in6
    port = struct.unpack('!H', raw[2:4])[0]
    return '[%s]:%d' % (socket.inet_ntop(socket.AF_INET6, raw[8:24]), port)


def bound_socket(proto, addr, port):
    kind = socket.SOCK_DGRAM if proto == 'udp' else socket.SOCK_STREAM
    sock = socket.socket(family_of(addr), kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sock.family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((addr, port))
    return sock


def serve_tcp(name, sock):
    sock.listen(64)
    while True:
        conn, _ = sock.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            try:
                dst = original_destination(conn)
            except OSError as e:
                dst = 'no-original-dst(%s)' % e.strerror
            try:
                conn.sendall(('%s %s\n' % (name, dst)).encode())
            except OSError:
                pass


def serve_hold(_name, sock):
    sock.listen(64)
    held = []
    while True:
        conn, _ = sock.accept()
        held.append(conn)  # kept open, silent, until the process is killed


def serve_udp(name, sock):
    while True:
        _, peer = sock.recvfrom(2048)
        sock.sendto(name.encode(), peer)


def serve(specs):
    threads = []
    for spec in specs:
        name, proto, rest = spec.split(':', 2)
        addr, port = rest.rsplit(':', 1)
        sock = bound_socket(proto, addr.strip('[]'), int(port))
        target = {'tcp': serve_tcp, 'udp': serve_udp, 'hold': serve_hold}[proto]
        threads.append(threading.Thread(target=target, args=(name, sock), daemon=True))
    for t in threads:
        t.start()
    print('ready', flush=True)
    threading.Event().wait()


def client(proto, addr, port, bind):
    kind = socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM
    with socket.socket(family_of(addr), kind) as sock:
        sock.settimeout(TIMEOUT)
        try:
            if bind:
                sock.bind((bind, 0))
            sock.connect((addr, port))
            if proto == 'udp':
                sock.send(b'probe')
                print(sock.recv(2048).decode().strip())
            else:
                print(sock.makefile().readline().strip() or 'ERROR empty answer')
        except OSError as e:
            print('ERROR %s' % (e.strerror or type(e).__name__))


def main(argv):
    if argv[0] == 'serve':
        serve(argv[1:])
    elif argv[0] in ('tcp', 'udp'):
        bind = argv[argv.index('--bind') + 1] if '--bind' in argv else None
        client(argv[0], argv[1], int(argv[2]), bind)
    else:
        sys.exit('usage: traffic_probe.py serve SPEC... | tcp|udp ADDR PORT [--bind SRC]')


if __name__ == '__main__':
    main(sys.argv[1:])
