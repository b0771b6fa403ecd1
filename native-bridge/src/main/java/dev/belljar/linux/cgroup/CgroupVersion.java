package dev.belljar.linux.cgroup;

/** Which cgroup interface a host offers to sandboxes. A v1/v2 hybrid host offers {@code V1}. */
public enum CgroupVersion { V1, V2 }
