# shellcheck shell=bash
# nagios.sh: the Nagios 4 configuration of the monitoring tests (53, 54),
# sourced after lib.sh. One host "lab" with one service "conntrack" that runs
# the shipped check_ctadvisor_netns command against $SRV every second, and
# writes each result's state, perfdata and output to var/service-perfdata.

# nagios_config DIR COMMANDS WARN CRIT: DIR/nagios.cfg and DIR/objects.cfg
# for the command definitions in file COMMANDS and the thresholds WARN and
# CRIT, verified with nagios4 -v (the lab fails when it refuses them).
nagios_config()
{
	local dir=$1 commands=$2 warn=$3 crit=$4
	mkdir -p "$dir/var/spool" "$dir/var/rw"
	cat >"$dir/nagios.cfg" <<-CONF
		log_file=$dir/var/nagios.log
		cfg_file=$commands
		cfg_file=$dir/objects.cfg
		status_file=$dir/var/status.dat
		temp_file=$dir/var/nagios.tmp
		temp_path=$dir/var
		lock_file=$dir/var/nagios.lock
		state_retention_file=$dir/var/retention.dat
		retain_state_information=0
		check_result_path=$dir/var/spool
		object_cache_file=$dir/var/objects.cache
		precached_object_file=$dir/var/objects.precache
		command_file=$dir/var/rw/nagios.cmd
		check_external_commands=0
		nagios_user=root
		nagios_group=root
		use_syslog=0
		log_initial_states=1
		enable_notifications=0
		interval_length=1
		check_result_reaper_frequency=1
		process_performance_data=1
		service_perfdata_file=$dir/var/service-perfdata
		service_perfdata_file_template=\$SERVICESTATE\$\t\$SERVICEPERFDATA\$\t\$SERVICEOUTPUT\$
		service_perfdata_file_mode=a
		service_perfdata_file_processing_interval=0
	CONF
	cat >"$dir/objects.cfg" <<-CONF
		define timeperiod {
			timeperiod_name always
			alias always
			sunday 00:00-24:00
			monday 00:00-24:00
			tuesday 00:00-24:00
			wednesday 00:00-24:00
			thursday 00:00-24:00
			friday 00:00-24:00
			saturday 00:00-24:00
		}
		define contact {
			contact_name nobody
			host_notifications_enabled 0
			service_notifications_enabled 0
			host_notification_period always
			service_notification_period always
			host_notification_options n
			service_notification_options n
			host_notification_commands check_ctadvisor
			service_notification_commands check_ctadvisor
		}
		define host {
			host_name lab
			address 127.0.0.1
			max_check_attempts 1
			check_period always
			active_checks_enabled 0
			contacts nobody
			notification_period always
		}
		define service {
			host_name lab
			service_description conntrack
			check_command check_ctadvisor_netns!$warn!$crit!$SRV
			max_check_attempts 1
			check_interval 1
			retry_interval 1
			check_period always
			contacts nobody
			notification_period always
		}
	CONF
	nagios4 -v "$dir/nagios.cfg" >"$dir/verify.log" 2>&1 ||
		die "nagios4 -v rejected the configuration: $(grep -iE 'error' "$dir/verify.log" | head -20)"
}
