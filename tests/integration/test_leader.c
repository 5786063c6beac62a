/*
 * Integration test of leader election on a Lease against the real control
 * plane: candidates in separate processes, the leader killed, the lease
 * taken over; a leader stopped cleanly releases the lease at once.
 */
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "fixture.h"
#include "kube/leader.h"

static volatile sig_atomic_t terminate;

static void on_term(int sig)
{
	(void)sig;
	terminate = 1;
}

struct candidate {
	int fd;
	char identity[64];
};

static void say(struct candidate *c, char what)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%c %s\n", what, c->identity);
	if (write(c->fd, line, (size_t)n) != n)
		_exit(3);
}

static void started(void *ctx)
{
	say(ctx, 'L');
}

static void stopped(void *ctx)
{
	say(ctx, 'S');
}

/* run_candidate is a child process: it campaigns until SIGTERM, then stops
 * cleanly (releasing the lease if it holds it). */
static void run_candidate(const char *ns, const char *identity, int fd)
{
	signal(SIGTERM, on_term);
	struct fixture f = {0};
	fixture_client(&f);
	struct candidate c = {.fd = fd};
	snprintf(c.identity, sizeof(c.identity), "%s", identity);
	struct hf_leader_options opts = {.ns = ns,
					 .name = "hyperfleet-test",
					 .identity = identity,
					 .on_started_leading = started,
					 .on_stopped_leading = stopped,
					 .ctx = &c};
	struct hf_leader *l = hf_leader_new(f.client, &opts);
	if (hf_leader_start(l) != HF_OK)
		_exit(2);
	while (!terminate)
		usleep(20000);
	hf_leader_free(l);
	hf_kube_client_free(f.client);
	hf_kube_config_free(f.cfg);
	_exit(0);
}

static pid_t spawn(const char *ns, const char *identity, int fd)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* If this test dies, its candidates must not outlive it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		run_candidate(ns, identity, fd);
	}
	return pid;
}

/* next_line reads one "X identity" line from fd within timeout_s. */
static void next_line(FILE *in, int fd, double timeout_s, char *what, char *identity)
{
	double deadline = fixture_now() + timeout_s;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int ms = (int)((deadline - fixture_now()) * 1000);
		cr_assert_gt(ms, 0, "no leadership change within %.0f s", timeout_s);
		if (poll(&p, 1, ms) > 0)
			break;
	}
	char line[128];
	cr_assert_not_null(fgets(line, sizeof(line), in));
	cr_assert_eq(sscanf(line, "%c %63s", what, identity), 2, "bad line: %s", line);
}

Test(leader, the_other_candidate_takes_over_from_a_killed_leader_and_after_a_release,
     .timeout = 120)
{
	struct fixture f = {0};
	fixture_setup(&f, "leader");
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t a = spawn(f.ns, "candidate-a", fds[1]);
	pid_t b = spawn(f.ns, "candidate-b", fds[1]);
	FILE *in = fdopen(fds[0], "r");
	setvbuf(in, NULL, _IONBF, 0);

	char what, first[64], second[64], third[64];
	next_line(in, fds[0], 30, &what, first);
	cr_assert_eq(what, 'L');
	pid_t leader = strcmp(first, "candidate-a") == 0 ? a : b;
	pid_t other = leader == a ? b : a;

	/* Kill the leader: it cannot release; the other must wait for the lease
	 * to expire on its own clock (15 s), polling every 2 s. */
	double killed_at = fixture_now();
	kill(leader, SIGKILL);
	waitpid(leader, NULL, 0);
	next_line(in, fds[0], 30, &what, second);
	double takeover = fixture_now() - killed_at;
	cr_assert_eq(what, 'L');
	cr_assert_str_neq(second, first);
	cr_log_info("takeover after the leader was killed: %.1f s", takeover);
	fprintf(stderr, "leader takeover after kill: %.1f s\n", takeover);
	cr_assert_leq(takeover, 15 + 2.4, "took %.1f s", takeover);

	/* A third candidate; then stop the leader cleanly: it releases the
	 * lease and the newcomer takes it well within a lease duration. */
	pid_t c = spawn(f.ns, "candidate-c", fds[1]);
	double stopped_at = fixture_now();
	kill(other, SIGTERM);
	next_line(in, fds[0], 30, &what, third);
	cr_assert_eq(what, 'S');
	cr_assert_str_eq(third, second);
	next_line(in, fds[0], 30, &what, third);
	cr_assert_eq(what, 'L');
	cr_assert_str_eq(third, "candidate-c");
	double handover = fixture_now() - stopped_at;
	fprintf(stderr, "leader handover after release: %.1f s\n", handover);
	cr_assert_leq(handover, 2 * 2.4 + 1, "a released lease took %.1f s to change hands",
		      handover);

	kill(c, SIGTERM);
	waitpid(other, NULL, 0);
	waitpid(c, NULL, 0);
	fclose(in);
	close(fds[1]);
	fixture_teardown(&f);
}
