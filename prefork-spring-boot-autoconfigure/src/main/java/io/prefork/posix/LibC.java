package io.prefork.posix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * The libc calls jnr-posix does not offer (sockets, poll, pipes, posix_spawn with file
 * actions). Linux/glibc constants live in {@link Linux}. Public only because jnr-ffi
 * generates its implementation in another class loader; not an API.
 */
public interface LibC {

	LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

	Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

	int socket(int domain, int type, int protocol);

	int setsockopt(int fd, int level, int name, @In IntByReference value, int length);

	int setsockopt(int fd, int level, int name, @In int[] value, int length);

	int bind(int fd, @In byte[] address, int length);

	int listen(int fd, int backlog);

	int accept4(int fd, Pointer address, Pointer length, int flags);

	int getsockname(int fd, @Out byte[] address, IntByReference length);

	int getsockopt(int fd, int level, int name, @Out byte[] value, IntByReference length);

	int ioctl(int fd, long request, @Out IntByReference value);

	int poll(Pointer fds, long count, int timeoutMillis);

	int close(int fd);

	int pipe2(@Out int[] fds, int flags);

	long read(int fd, @Out byte[] buffer, long length);

	long write(int fd, @In byte[] buffer, long length);

	long send(int fd, @In byte[] buffer, long length, int flags);

	long sendmsg(int fd, Pointer message, int flags);

	long recvmsg(int fd, Pointer message, int flags);

	long recv(int fd, Pointer buffer, long length, int flags);

	int recvmmsg(int fd, Pointer messages, int count, int flags, Pointer timeout);

	int shutdown(int fd, int how);

	int fcntl(int fd, int command, int argument);

	long sendto(int fd, @In byte[] buffer, long length, int flags, @In byte[] address, int addressLength);

	int posix_spawn_file_actions_init(Pointer actions);

	int posix_spawn_file_actions_destroy(Pointer actions);

	int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

	int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

	int posix_spawn_file_actions_addclose(Pointer actions, int fd);

	int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

	int posix_spawnattr_init(Pointer attributes);

	int posix_spawnattr_destroy(Pointer attributes);

	int posix_spawnattr_setflags(Pointer attributes, short flags);

	int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

	int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

	int posix_spawnattr_setpgroup(Pointer attributes, int processGroup);

	int sigemptyset(Pointer signals);

	int sigaddset(Pointer signals, int signal);

	int posix_spawnp(IntByReference pid, String file, Pointer actions, Pointer attributes, Pointer argv,
			Pointer envp);

	int execve(String path, Pointer argv, Pointer envp);

	int sigprocmask(int how, Pointer signals, Pointer oldSignals);

	int sigaction(int signal, Pointer action, Pointer oldAction);

	long sysconf(int name);

	static int errno() {
		return jnr.ffi.LastError.getLastError(RUNTIME);
	}

}
