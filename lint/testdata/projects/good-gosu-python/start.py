#!/usr/local/bin/python
import os, sys
os.execve("/usr/sbin/gosu", ["gosu", "991:991", sys.executable] + sys.argv[1:], os.environ)
