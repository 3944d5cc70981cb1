/*
 * mockkafka: run librdkafka's built-in mock Kafka cluster as a standalone
 * process on 127.0.0.1 (ephemeral ports), for tests.
 *
 * Usage: mockkafka [BROKERS] [TOPIC:PARTITIONS ...]
 *   BROKERS  number of mock brokers (default 1)
 *   TOPIC:N  topics to pre-create with N partitions (the mock does not
 *            implement the CreateTopics API; unknown topics are auto-created
 *            with 4 partitions on the first Metadata request).
 *
 * Prints exactly one line "BOOTSTRAP host:port[,host:port...]" on stdout
 * (flushed) once listening, then reads control commands from stdin, one per
 * line, answering "OK ..." or "ERR ..." on stdout:
 *   topic NAME PARTITIONS [REPLICATION]   create a topic
 *   down BROKER_ID / up BROKER_ID          take a broker down / up
 *   rtt BROKER_ID MS                       add round-trip latency to a broker
 *   quit                                   exit
 * ControllerId is patched to 1 (see fix_controller_id) unless
 * MOCKKAFKA_NO_CONTROLLER_FIX=1.
 * Stays up until SIGINT/SIGTERM, "quit", or EOF on stdin when stdin is a pipe
 * or socket (the controlling test process went away). With stdin from
 * /dev/null, a file or a tty, EOF is ignored so it can run detached
 * (MOCKKAFKA_EXIT_ON_EOF=1 forces exit on any EOF). It also gets SIGTERM
 * when its parent process dies (PR_SET_PDEATHSIG).
 *
 * "mockkafka --version" prints "mockkafka librdkafka=V mock=patched|stock|unknown"
 * (patched = built with librdkafka-2.0.2-mock-test.patch) and exits.
 *
 * Build: bash tests/peers/kafka/install.sh (patched, static), or
 *        cc -O2 -Wall -o mockkafka mockkafka.c $(pkg-config --cflags --libs rdkafka)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t run = 1;

/* librdkafka <= 2.x never sets the mock cluster's controller_id, so Metadata
 * responses advertise ControllerId=0 while broker ids are 1..N. Clients that
 * look up the controller (kafkajs: idempotent/transactional producer
 * InitProducerId, admin create/delete topics) then fail with
 * "Broker 0 not found in the cached metadata". The leading members of the
 * private struct rd_kafka_mock_cluster_s (src/rdkafka_mock_int.h, unchanged
 * from v1.4 to v2.x) are { char id[32]; rd_kafka_t *rk; int32_t
 * controller_id; ... }: set it to broker 1, but only after verifying the two
 * preceding members match what we know (id prefix and rk pointer). */
struct mock_cluster_prefix {
        char id[32];
        rd_kafka_t *rk;
        int32_t controller_id;
};
/* Returns -1 on an unknown layout, 1 if the patched library had already set
 * it, 0 if this function set it. */
static int fix_controller_id(rd_kafka_mock_cluster_t *mc, rd_kafka_t *rk,
                             int32_t id) {
        struct mock_cluster_prefix *p = (struct mock_cluster_prefix *)mc;
        if (p->rk != rk || strncmp(p->id, "mockCluster", 11) != 0)
                return -1;
        if (p->controller_id != 0) /* set by the patched build */
                return 1;
        p->controller_id = id;
        return 0;
}
static void on_signal(int sig) { (void)sig; run = 0; }

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *name,
                        int parts, int repl) {
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, name, parts, repl);
        if (err) {
                printf("ERR topic %s: %s\n", name, rd_kafka_err2str(err));
                fflush(stdout);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv) {
        char errstr[512];
        int version = argc > 1 && !strcmp(argv[1], "--version");
        int brokers = argc > 1 && !version ? atoi(argv[1]) : 1;
        struct stat st;
        int exit_on_eof = (getenv("MOCKKAFKA_EXIT_ON_EOF") &&
                           !strcmp(getenv("MOCKKAFKA_EXIT_ON_EOF"), "1")) ||
                          (fstat(0, &st) == 0 &&
                           (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (brokers < 1 || brokers > 64) {
                fprintf(stderr, "usage: %s [BROKERS] [TOPIC:PARTITIONS ...]\n",
                        argv[0]);
                return 2;
        }

        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: fgets() returns EINTR */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        /* A client instance is only needed to host the mock cluster. */
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        const char *loglevel  = getenv("MOCKKAFKA_LOG_LEVEL"); /* 0..7 */
        if (rd_kafka_conf_set(conf, "log_level", loglevel ? loglevel : "3",
                              errstr, sizeof(errstr)) ||
            (getenv("MOCKKAFKA_DEBUG") &&
             rd_kafka_conf_set(conf, "debug", getenv("MOCKKAFKA_DEBUG"),
                               errstr, sizeof(errstr)))) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk =
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }

        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
        if (!mc) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        if (version) {
                int r = fix_controller_id(mc, rk, 1);
                printf("mockkafka librdkafka=%s mock=%s\n",
                       rd_kafka_version_str(),
                       r == 1 ? "patched" : r == 0 ? "stock" : "unknown");
                return 0; /* no destroy: see the end of main */
        }

        if (!(getenv("MOCKKAFKA_NO_CONTROLLER_FIX") &&
              !strcmp(getenv("MOCKKAFKA_NO_CONTROLLER_FIX"), "1")) &&
            fix_controller_id(mc, rk, 1) == -1)
                fprintf(stderr, "mockkafka: WARNING: could not set "
                                "ControllerId (unknown struct layout)\n");

        for (int i = 2; i < argc; i++) {
                char *spec = strdup(argv[i]);
                char *colon = strrchr(spec, ':');
                int parts = colon ? atoi(colon + 1) : 1;
                if (colon) *colon = '\0';
                if (create_topic(mc, spec, parts, -1)) return 1;
                free(spec);
        }

        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);

        char line[1024];
        while (run) {
                if (!fgets(line, sizeof(line), stdin)) {
                        if (!run) break;
                        if (feof(stdin)) {
                                if (exit_on_eof) break;
                                /* detached: just wait for a signal */
                                while (run) pause();
                                break;
                        }
                        clearerr(stdin);
                        continue;
                }
                char cmd[32] = "", name[512] = "";
                int a = -1, b = -1;
                int n = sscanf(line, "%31s %511s %d %d", cmd, name, &a, &b);
                if (n < 1) continue;
                if (!strcmp(cmd, "quit")) break;
                if (!strcmp(cmd, "topic") && n >= 3) {
                        if (!create_topic(mc, name, a, n >= 4 ? b : -1))
                                printf("OK topic %s %d\n", name, a);
                } else if ((!strcmp(cmd, "down") || !strcmp(cmd, "up")) &&
                           n >= 2) {
                        int id = atoi(name);
                        rd_kafka_resp_err_t err =
                            !strcmp(cmd, "down")
                                ? rd_kafka_mock_broker_set_down(mc, id)
                                : rd_kafka_mock_broker_set_up(mc, id);
                        printf(err ? "ERR %s %d: %s\n" : "OK %s %d%s\n", cmd,
                               id, err ? rd_kafka_err2str(err) : "");
                } else if (!strcmp(cmd, "rtt") && n >= 3) {
                        rd_kafka_resp_err_t err =
                            rd_kafka_mock_broker_set_rtt(mc, atoi(name), a);
                        printf(err ? "ERR rtt: %s\n" : "OK rtt%s\n",
                               err ? rd_kafka_err2str(err) : "");
                } else {
                        printf("ERR unknown command: %s", line);
                }
                fflush(stdout);
        }

        /* No rd_kafka_mock_cluster_destroy()/rd_kafka_destroy(): they wait up
         * to 1 s for librdkafka's threads, and everything is in memory anyway.
         * Exiting closes the listening sockets. */
        fflush(stdout);
        return 0;
}
