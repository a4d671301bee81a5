// libsystemd (Debian: libsystemd-dev): sd_notify, sd_listen_fds, sd_journal_send.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
