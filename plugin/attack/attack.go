// attack: tries, from inside a container, what a hardened container must refuse, and
// prints one JSON object: each attempt -> "ok" or the errno's name.
// Static (CGO_ENABLED=0) so it runs in any image, even FROM scratch.
package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"
)

var names = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.EACCES: "EACCES", syscall.EROFS: "EROFS",
	syscall.ENOSYS: "ENOSYS", syscall.EINVAL: "EINVAL", syscall.ENOENT: "ENOENT",
}

func result(err error) string {
	if err == nil {
		return "ok"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, found := names[errno]; found {
			return name
		}
		return errno.Error()
	}
	return err.Error()
}

func status(field string) string {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			return strings.TrimSpace(line[len(field)+1:])
		}
	}
	return ""
}

func ptraceChild() string {
	child := exec.Command("/proc/self/exe", "sleep")
	if err := child.Start(); err != nil {
		return "cannot start a child: " + err.Error()
	}
	defer func() { _ = child.Process.Kill(); _, _ = child.Process.Wait() }()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err := syscall.PtraceAttach(child.Process.Pid)
	if err == nil {
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(child.Process.Pid, &ws, syscall.WALL, nil)
		_ = syscall.PtraceDetach(child.Process.Pid)
	}
	return result(err)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		time.Sleep(30 * time.Second)
		return
	}
	out := map[string]string{}
	probe := "/kk-attack-" + time.Now().Format("150405.000000")
	err := os.WriteFile(probe, []byte("x"), 0o600)
	if err == nil {
		_ = os.Remove(probe)
	}
	out["write_root"] = result(err)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW, syscall.IPPROTO_ICMP)
	if err == nil {
		_ = syscall.Close(fd)
	}
	out["raw_socket"] = result(err)
	err = syscall.Mount("kk-attack", "/dev", "tmpfs", 0, "size=1m")
	if err == nil {
		_ = syscall.Unmount("/dev", syscall.MNT_DETACH)
	}
	out["mount"] = result(err)
	out["ptrace"] = ptraceChild()
	out["setuid_root"] = result(syscall.Setuid(0))
	out["uid"] = status("Uid")
	out["no_new_privs"] = status("NoNewPrivs")
	out["seccomp"] = status("Seccomp")
	out["cap_bnd"] = status("CapBnd")
	out["cap_eff"] = status("CapEff")
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
