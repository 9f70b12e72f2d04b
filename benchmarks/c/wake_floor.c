/*
 * The floor under any cross-process wake on this machine: two C processes ping-pong through a
 * futex on a shared /dev/shm word (what the simulated event channel does), a Unix socket pair, and
 * a pipe pair, in alternating blocks so that all three see the same placement and load. Both sides
 * stamp CLOCK_MONOTONIC (one clock for every process) into shared memory when they send and when
 * they wake, so one-way latencies are measured, not halved round trips.
 *
 * Usage: benchmarks/run-wake-floor [--apart] [round-trips]   (--apart: parent on CPU 0, child on CPU 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { FUTEX, SOCKET, PIPE, MECHANISMS };
static const char *const NAMES[MECHANISMS] = {"futex on a shared word", "Unix socket pair", "pipe pair"};
enum { BLOCKS = 20 };

/* One futex word and waiter count per side, each on its own cache line. */
struct words
{
    _Alignas(64) atomic_int flag;
    atomic_int waiters;
};

/* Per mechanism and round trip: [0] the parent's send, [1] the child's wake, [2] the child's send, [3] the parent's wake. */
typedef int64_t stamps[4];

static struct words *side;
static int sockets[2];
static int pipes[2][2]; /* pipes[s] carries messages to side s */

static int64_t now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die("sched_setaffinity");
}

static void futex_wait(int me)
{
    /* The waiter count is raised before the kernel re-checks the word: a wake in between is not lost. */
    while (atomic_exchange(&side[me].flag, 0) == 0)
    {
        atomic_fetch_add(&side[me].waiters, 1);
        syscall(SYS_futex, &side[me].flag, FUTEX_WAIT, 0, NULL, NULL, 0);
        atomic_fetch_sub(&side[me].waiters, 1);
    }
}

static void futex_wake(int peer)
{
    atomic_store(&side[peer].flag, 1);
    if (atomic_load(&side[peer].waiters) > 0)
        syscall(SYS_futex, &side[peer].flag, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void send_one(int mechanism, int me)
{
    const char byte = 1;
    if (mechanism == FUTEX)
        futex_wake(1 - me);
    else if (write(mechanism == SOCKET ? sockets[me] : pipes[1 - me][1], &byte, 1) != 1)
        die("write");
}

static void receive_one(int mechanism, int me)
{
    char byte;
    if (mechanism == FUTEX)
        futex_wait(me);
    else if (read(mechanism == SOCKET ? sockets[me] : pipes[me][0], &byte, 1) != 1)
        die("read");
}

/* Both sides run the same schedule: blocks of each mechanism in turn. */
static void run(int me, int rounds, stamps *at)
{
    const int block = rounds / BLOCKS > 0 ? rounds / BLOCKS : 1;
    for (int from = 0; from < rounds; from += block)
        for (int m = 0; m < MECHANISMS; m++)
            for (int i = from; i < from + block && i < rounds; i++)
            {
                int64_t *s = at[m * rounds + i];
                if (me == 0)
                {
                    s[0] = now();
                    send_one(m, 0);
                    receive_one(m, 0);
                    s[3] = now();
                }
                else
                {
                    receive_one(m, 1);
                    s[1] = now();
                    s[2] = now();
                    send_one(m, 1);
                }
            }
}

static int by_value(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* The p-th percentile of samples already sorted, in microseconds. */
static double percentile(const int64_t *sorted, int n, int p)
{
    const int64_t at = (int64_t) n * p / 100;
    return sorted[at < n ? at : n - 1] / 1e3;
}

int main(int argc, char **argv)
{
    int apart = 0, rounds = 30000;
    for (int a = 1; a < argc; a++)
    {
        if (strcmp(argv[a], "--apart") == 0)
            apart = 1;
        else if ((rounds = atoi(argv[a])) < BLOCKS)
        {
            fprintf(stderr, "usage: %s [--apart] [round-trips, at least %d]\n", argv[0], BLOCKS);
            return 2;
        }
    }
    /* The futex words live in a /dev/shm file, as the simulated host's event pages do: a shared, file-backed futex. */
    char path[] = "/dev/shm/tubes-wake-floor-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, 2 * sizeof(struct words)) != 0)
        die(path);
    side = mmap(NULL, 2 * sizeof(struct words), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unlink(path);
    stamps *at = mmap(NULL, sizeof(stamps) * MECHANISMS * rounds, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
        -1, 0);
    if (side == MAP_FAILED || at == MAP_FAILED)
        die("mmap");
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0 || pipe(pipes[0]) != 0 || pipe(pipes[1]) != 0)
        die("socketpair or pipe");

    const pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0)
    {
        if (apart)
            pin(1);
        run(1, rounds, at);
        _exit(0);
    }
    if (apart)
        pin(0);
    run(0, rounds, at);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    {
        fprintf(stderr, "the child process failed\n");
        return 1;
    }

    printf("placement: %s\n", apart ? "parent on CPU 0, child on CPU 1" : "as the scheduler likes (see --apart)");
    printf("%-24s %14s %14s %14s\n", "mechanism (C, 2 procs)", "rtt p50 us", "one-way p50", "one-way p99");
    int64_t *trip = malloc(sizeof *trip * rounds), *way = malloc(sizeof *way * 2 * rounds);
    double rtt[MECHANISMS], one_way[MECHANISMS];
    for (int m = 0; m < MECHANISMS; m++)
    {
        for (int i = 0; i < rounds; i++)
        {
            const int64_t *s = at[m * rounds + i];
            trip[i] = s[3] - s[0];
            way[2 * i] = s[1] - s[0];
            way[2 * i + 1] = s[3] - s[2];
        }
        qsort(trip, rounds, sizeof *trip, by_value);
        qsort(way, 2 * rounds, sizeof *way, by_value);
        rtt[m] = percentile(trip, rounds, 50);
        one_way[m] = percentile(way, 2 * rounds, 50);
        printf("%-24s %14.2f %14.2f %14.2f\n", NAMES[m], rtt[m], one_way[m], percentile(way, 2 * rounds, 99));
    }
    printf("ratios: futex-one-way/socket-rtt %.2fx, futex-one-way/socket-one-way %.2fx, pipe-one-way/socket-one-way %.2fx\n",
        one_way[FUTEX] / rtt[SOCKET], one_way[FUTEX] / one_way[SOCKET], one_way[PIPE] / one_way[SOCKET]);
    return 0;
}
