/*
 * files.c - files the suite creates are gone however the run ends: an
 * anonymous file never has a name; a named one is removed by
 * sc_file_remove, at exit (die() included), and when a signal kills the
 * process (SIGTERM, or SIGXFSZ from a file-size limit).
 */
#define _GNU_SOURCE
#include "syscall.h"
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

enum ending { END_EXIT, END_DIE, END_SIGTERM, END_XFSZ, END_REMOVE };

/* A child that creates a named file and ends as told; its wait status. */
static int child(const char *dir, enum ending how)
{
	char path[PATH_MAX], buf[8192] = { 0 };
	struct rlimit rl = { 4096, 4096 };
	pid_t pid = fork();
	int fd, status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = sc_file_named(dir, "test", O_WRONLY, path, sizeof(path));
		if (fd < 0 || entries(dir) != 1)
			_exit(99);	/* the file must exist meanwhile */
		switch (how) {
		case END_EXIT:
			exit(1);
		case END_DIE:
			die("a benchmark's set-up gave up");
		case END_SIGTERM:
			raise(SIGTERM);
			break;
		case END_XFSZ:
			setrlimit(RLIMIT_FSIZE, &rl);
			/* The first write stops short at the limit. */
			for (int i = 0; i < 3; i++)
				if (write(fd, buf, sizeof(buf)) < 0)
					_exit(98);
			break;
		case END_REMOVE:
			exit(sc_file_remove(path) || sc_file_live() ? 97 : 0);
		}
		_exit(96);	/* a signal should have ended it */
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	return status;
}

int main(void)
{
	char dir[] = "/tmp/syscall-files-XXXXXX";
	int st, fd;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}

	fd = sc_file_anon(dir, O_RDWR);
	ok(fd >= 0, "an anonymous file opens");
	ok(write(fd, "x", 1) == 1, "and takes data");
	is_int(entries(dir), 0, "it has no name in the directory");
	close(fd);

	st = child(dir, END_REMOVE);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "sc_file_remove unlinks and unregisters (status %#x)", st);
	is_int(entries(dir), 0, "nothing left after sc_file_remove");

	st = child(dir, END_EXIT);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit(1) after creating");
	is_int(entries(dir), 0, "nothing left after exit");

	st = child(dir, END_DIE);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 1, "die() after creating");
	is_int(entries(dir), 0, "nothing left after die()");

	st = child(dir, END_SIGTERM);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	   "SIGTERM still kills the process (status %#x)", st);
	is_int(entries(dir), 0, "nothing left after SIGTERM");

	st = child(dir, END_XFSZ);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ,
	   "exceeding RLIMIT_FSIZE still kills it (status %#x)", st);
	is_int(entries(dir), 0, "nothing left after SIGXFSZ");

	ok(!rmdir(dir), "the directory is empty");
	return tap_done();
}
