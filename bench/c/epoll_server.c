/*
 * The floor the Java transports are measured against: a single-threaded echo and HTTP server
 * written directly on Linux epoll, the way a careful C server is written. Level-triggered epoll,
 * non-blocking sockets, accept4, one read per readiness event, one write per read batch, partial
 * writes kept per connection and finished on EPOLLOUT, reading paused while too much is unsent.
 *
 *   epoll_server echo PORT    echoes every byte back
 *   epoll_server http PORT    answers every request (a header block ending in CRLF CRLF) with
 *                             200 "Hello, World!", keep-alive, pipelined requests answered in order
 *
 * Listens on 127.0.0.1 with SO_REUSEPORT, like the other servers measured beside it.
 * Build: gcc -O2 -o epoll_server epoll_server.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE (64 * 1024)
/* Unsent bytes above which a connection is not read until its peer catches up. */
#define PAUSE_READING_AT (4 * 1024 * 1024)
#define MAX_EVENTS 512

enum mode { MODE_ECHO, MODE_HTTP };

struct conn {
    int fd;
    unsigned events;   /* the interest set registered with epoll */
    int match;         /* HTTP: bytes of "\r\n\r\n" matched at the end of the last read */
    char *out;         /* bytes accepted but not yet written; NULL when none */
    size_t out_off, out_len, out_cap;
};

static enum mode mode;
static int epfd;
static int spare_fd = -1;  /* closed to accept and drop a client when out of descriptors */

/* The HTTP response; only the Date header changes, in place, once a second. */
static char response[256];
static size_t response_len;
static size_t date_offset;
static time_t date_second = -1;

/* HTTP answers for one read are built here, then written in one call. */
static char *scratch;
static size_t scratch_cap;

static void die(const char *what) {
    fprintf(stderr, "epoll_server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *grow(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "epoll_server: out of memory\n");
        exit(1);
    }
    return p;
}

static void build_response(void) {
    const char *head = "HTTP/1.1 200 OK\r\nServer: epoll-c\r\nDate: ";
    const char *tail = "\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
    size_t n = strlen(head);
    memcpy(response, head, n);
    date_offset = n;
    memset(response + n, ' ', 29); /* "Sun, 06 Nov 1994 08:49:37 GMT" is always 29 bytes */
    n += 29;
    memcpy(response + n, tail, strlen(tail));
    response_len = n + strlen(tail);
}

/* Called once per loop turn: the coarse clock is read without a system call (vDSO), so keeping
 * the Date current costs no more than a timer would, and adds nothing to the calls counted. */
static void refresh_date(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec == date_second) return;
    date_second = now.tv_sec;
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    memcpy(response + date_offset, date, 29);
}

static void set_interest(struct conn *c, unsigned events) {
    if (events == c->events) return;
    struct epoll_event ev = { .events = events, .data.ptr = c };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl MOD");
    c->events = events;
}

static void close_conn(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->out);
    free(c);
}

/* What epoll should wait for, given what is left to send. */
static void update_interest(struct conn *c) {
    size_t pending = c->out ? c->out_len - c->out_off : 0;
    unsigned events = pending < PAUSE_READING_AT ? EPOLLIN : 0;
    if (pending) events |= EPOLLOUT;
    set_interest(c, events);
}

/* Keeps bytes a write did not take, after what is already waiting. */
static void keep(struct conn *c, const char *p, size_t n) {
    if (c->out && c->out_off > 0 && c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
    }
    if (c->out_len + n > c->out_cap) {
        if (c->out_off > 0) { /* slide the unsent part to the front before growing */
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        if (c->out_len + n > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : 4096;
            while (cap < c->out_len + n) cap *= 2;
            c->out = grow(c->out, cap);
            c->out_cap = cap;
        }
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

/* Writes p[0..n) now if nothing is waiting, keeps what the socket does not take.
 * Returns -1 when the connection failed and was closed. */
static int send_or_keep(struct conn *c, const char *p, size_t n) {
    if (!c->out || c->out_off == c->out_len) {
        ssize_t w;
        do w = write(c->fd, p, n); while (w < 0 && errno == EINTR);
        if (w < 0) {
            if (errno != EAGAIN) { close_conn(c); return -1; }
            w = 0;
        }
        p += w;
        n -= (size_t) w;
        if (n == 0) return 0;
    }
    /* Already waiting on EPOLLOUT: appending keeps the order, the next writable event sends it. */
    keep(c, p, n);
    update_interest(c);
    return 0;
}

/* Counts header blocks completed in p[0..n), carrying a partial "\r\n\r\n" over reads. */
static size_t count_requests(struct conn *c, const char *p, size_t n) {
    static const char end_of_headers[4] = { '\r', '\n', '\r', '\n' };
    const char *end = p + n;
    size_t count = 0;
    int s = c->match;
    while (p < end) {
        if (s == 0) {
            const char *cr = memchr(p, '\r', (size_t) (end - p));
            if (!cr) break;
            p = cr + 1;
            s = 1;
            continue;
        }
        char ch = *p++;
        if (ch == end_of_headers[s]) {
            if (++s == 4) { count++; s = 0; }
        } else {
            s = ch == '\r' ? 1 : 0;
        }
    }
    c->match = s;
    return count;
}

static void on_readable(struct conn *c) {
    static char buf[READ_SIZE];
    ssize_t n;
    do n = read(c->fd, buf, sizeof buf); while (n < 0 && errno == EINTR);
    if (n == 0 || (n < 0 && errno != EAGAIN)) { close_conn(c); return; }
    if (n < 0) return;
    if (mode == MODE_ECHO) {
        send_or_keep(c, buf, (size_t) n);
        return;
    }
    size_t requests = count_requests(c, buf, (size_t) n);
    if (requests == 0) return;
    size_t total = requests * response_len;
    if (total > scratch_cap) {
        scratch_cap = total * 2;
        scratch = grow(scratch, scratch_cap);
    }
    char *q = scratch;
    for (size_t i = 0; i < requests; i++, q += response_len) {
        memcpy(q, response, response_len);
    }
    send_or_keep(c, scratch, total);
}

/* Returns -1 when the connection failed and was closed. */
static int on_writable(struct conn *c) {
    ssize_t w;
    do w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off); while (w < 0 && errno == EINTR);
    if (w < 0) {
        if (errno == EAGAIN) return 0;
        close_conn(c);
        return -1;
    }
    c->out_off += (size_t) w;
    if (c->out_off == c->out_len) {
        /* Drained: give the buffer back, so an idle connection holds only its struct. */
        free(c->out);
        c->out = NULL;
        c->out_off = c->out_len = c->out_cap = 0;
    }
    update_interest(c);
    return 0;
}

static void on_acceptable(int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
                /* Level-triggered: a pending client we cannot take would wake us forever.
                 * Free one descriptor, take the client and close it at once. */
                close(spare_fd);
                fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                if (fd >= 0) close(fd);
                spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                continue;
            }
            return; /* EAGAIN: nothing more waiting */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) { close(fd); continue; }
        c->fd = fd;
        c->events = EPOLLIN;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) { close(fd); free(c); }
    }
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "echo") != 0 && strcmp(argv[1], "http") != 0)) {
        fprintf(stderr, "usage: epoll_server echo|http PORT\n");
        return 2;
    }
    mode = strcmp(argv[1], "echo") == 0 ? MODE_ECHO : MODE_HTTP;
    int port = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);

    /* As many descriptors as allowed: the idle-connection measurement holds thousands. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 1024) < 0) die("listen");

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    /* The listener is told apart from connections by a NULL pointer. */
    struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev) < 0) die("epoll_ctl ADD");

    build_response();
    refresh_date();
    printf("epoll_server %s on 127.0.0.1:%d\n", argv[1], port);
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        /* A timeout keeps the Date fresh on a quiet server; under load the loop turns anyway. */
        int n = epoll_wait(epfd, events, MAX_EVENTS, mode == MODE_HTTP ? 1000 : -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        if (mode == MODE_HTTP) refresh_date();
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            unsigned ev = events[i].events;
            if (!c) {
                on_acceptable(listener);
                continue;
            }
            /* Writable first: sending what waits keeps the order of the answers. A connection
             * the write closed must not be read. */
            if ((ev & EPOLLOUT) && on_writable(c) < 0) continue;
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
    }
}
