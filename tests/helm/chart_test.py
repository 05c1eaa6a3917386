#!/usr/bin/env python3
"""Tests of the Helm chart helm/channel-verifier with the real helm binary.

helm lint --strict and helm template with the default values and with every feature on
(ci/all-features-values.yaml); the rendered objects are checked for what the deployment relies
on: probes on the plaintext health port, the locked-down security context, the flagfile, Secret
mounts, the network policy's fences, the state store (bundled Redis, an existing Redis, or
in-process for one replica only). Bad values must fail at install time. When a built
channel-verifier is given (--binary), the rendered flagfile is also parsed by it, so that the
chart can only pass flags the server knows.

Usage: chart_test.py --helm PATH [--binary PATH] [unittest args]
"""
import argparse
import base64
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHART = os.path.join(ROOT, "helm", "channel-verifier")
ALL_FEATURES = os.path.join(CHART, "ci", "all-features-values.yaml")
FULLNAME = "rel-channel-verifier"  # what render() names the release's objects
REDIS = FULLNAME + "-redis"
HELM = None
BINARY = None
PRIVATE_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
              "169.254.0.0/16", "127.0.0.0/8"]


def helm(*args, check=True):
    result = subprocess.run([HELM, *args], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def render(*args):
    out = helm("template", "rel", CHART, "--namespace", "mail", *args).stdout
    objects = [o for o in yaml.safe_load_all(out) if o]
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def one(objects, kind, name=None):
    """The object of that kind; the verifier's own when the bundled Redis has one too."""
    found = [o for (k, n), o in objects.items() if k == kind and (name is None or n == name)]
    if len(found) > 1 and name is None:
        found = [o for o in found if o["metadata"]["name"] == FULLNAME]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def flags_of(objects):
    lines = one(objects, "ConfigMap")["data"]["flags"].splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def container_of(objects, name=None):
    pod = one(objects, "Deployment", name)["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return pod, container


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def secret_file(test, objects, flag):
    """The (Secret name, key) that the file named by `flag` comes from, checked to be a
    read-only whole-Secret mount (no subPath) of one item."""
    path = flags_of(objects)[flag]
    pod, c = container_of(objects)
    volumes = {v["name"]: v for v in pod["volumes"]}
    (mount,) = [m for m in c["volumeMounts"] if path.startswith(m["mountPath"] + "/")]
    test.assertIs(mount["readOnly"], True, flag)
    test.assertNotIn("subPath", mount, flag)
    secret = volumes[mount["name"]]["secret"]
    key = path[len(mount["mountPath"]) + 1:]
    test.assertEqual(secret["items"], [{"key": key, "path": key}], flag)
    return secret["secretName"], key


class LintTest(unittest.TestCase):
    def test_lint_strict_default_values(self):
        out = helm("lint", "--strict", CHART).stdout
        self.assertIn("0 chart(s) failed", out)

    def test_lint_strict_all_features(self):
        out = helm("lint", "--strict", CHART, "-f", ALL_FEATURES).stdout
        self.assertIn("0 chart(s) failed", out)


class DefaultRenderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = render()

    def test_kinds(self):
        self.assertEqual(sorted(self.objects), [
            ("ConfigMap", FULLNAME),
            ("Deployment", FULLNAME), ("Deployment", REDIS),
            ("HorizontalPodAutoscaler", FULLNAME),
            ("NetworkPolicy", FULLNAME), ("NetworkPolicy", REDIS),
            ("PodDisruptionBudget", FULLNAME),
            ("Secret", REDIS + "-password"), ("Secret", FULLNAME + "-state-key"),
            ("Service", FULLNAME), ("Service", REDIS),
            ("ServiceAccount", FULLNAME)])

    def test_probes_use_the_plaintext_health_port(self):
        _, c = container_of(self.objects)
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        self.assertEqual(ports, {"grpc": 50051, "health": 8081, "metrics": 9090})
        self.assertEqual(c["livenessProbe"]["grpc"], {"port": 8081})
        self.assertEqual(c["readinessProbe"]["grpc"],
                         {"port": 8081, "service": "channelverify.v1.ChannelVerifierService"})
        # Never the store's entry: a Redis outage must not take every replica out of service.
        self.assertNotIn("StateStore", yaml.safe_dump([c["livenessProbe"], c["readinessProbe"]]))
        flags = flags_of(self.objects)
        self.assertEqual(flags["--health_listen"], "0.0.0.0:8081")
        self.assertEqual(flags["--listen"], "0.0.0.0:50051")
        self.assertEqual(flags["--metrics_listen"], "0.0.0.0:9090")

    def test_security_context(self):
        pod, c = container_of(self.objects)
        sc = c["securityContext"]
        self.assertIs(sc["readOnlyRootFilesystem"], True)
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertIs(sc["runAsNonRoot"], True)
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertNotIn("add", sc["capabilities"])
        self.assertEqual(sc["seccompProfile"]["type"], "RuntimeDefault")
        self.assertEqual(pod["securityContext"]["runAsUser"], 65532)
        self.assertEqual(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")
        self.assertIs(pod["automountServiceAccountToken"], False)
        sa = one(self.objects, "ServiceAccount")
        self.assertIs(sa["automountServiceAccountToken"], False)
        self.assertEqual(pod["serviceAccountName"], sa["metadata"]["name"])

    def test_resources_and_flagfile(self):
        _, c = container_of(self.objects)
        self.assertIn("cpu", c["resources"]["requests"])
        self.assertIn("memory", c["resources"]["limits"])
        self.assertEqual(c["args"], ["--flagfile=/etc/channel-verifier/config/flags"])
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        self.assertEqual(mounts, {"config": "/etc/channel-verifier/config",
                                  "state-key": "/etc/channel-verifier/state-key",
                                  "state-store-password":
                                  "/etc/channel-verifier/state-store-password"})
        self.assertEqual(c["image"], "channel-verifier:0.1.0")

    def test_shutdown_fits_the_grace_period(self):
        pod, _ = container_of(self.objects)
        flags = flags_of(self.objects)
        budget_ms = int(flags["--shutdown_delay_ms"]) + int(flags["--shutdown_grace_ms"])
        self.assertGreater(pod["terminationGracePeriodSeconds"] * 1000, budget_ms)
        self.assertGreater(int(flags["--shutdown_delay_ms"]), 0)

    def test_default_caller_share_and_quotas(self):
        flags = flags_of(self.objects)
        self.assertNotIn("--caller_identity_header", flags)
        self.assertEqual(flags["--max_in_flight_per_caller"], "0")
        self.assertEqual(flags["--send_quota_per_recipient_per_hour"], "10")
        self.assertEqual(flags["--send_quota_per_channel_per_hour"], "20")
        self.assertEqual(flags["--send_quota_per_caller_per_hour"], "200")

    def test_no_tls_flags_without_tls(self):
        flags = flags_of(self.objects)
        for name in ("--tls_cert_file", "--tls_key_file", "--client_ca_file",
                     "--google_client_secret_file"):
            self.assertNotIn(name, flags)

    def test_hpa_owns_the_replica_count(self):
        deployment = one(self.objects, "Deployment")
        self.assertNotIn("replicas", deployment["spec"])
        hpa = one(self.objects, "HorizontalPodAutoscaler")
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"], deployment["metadata"]["name"])
        self.assertLessEqual(hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"])
        pdb = one(self.objects, "PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"],
                         deployment["spec"]["selector"]["matchLabels"])

    def test_service_selects_the_pods(self):
        service = one(self.objects, "Service")
        deployment = one(self.objects, "Deployment")
        self.assertEqual(service["spec"]["selector"],
                         deployment["spec"]["selector"]["matchLabels"])
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        for k, v in service["spec"]["selector"].items():
            self.assertEqual(labels[k], v)
        ports = {p["name"]: p for p in service["spec"]["ports"]}
        self.assertEqual(ports["grpc"]["targetPort"], "grpc")
        self.assertEqual(ports["grpc"]["appProtocol"], "grpc")
        self.assertNotIn("health", ports)

    def test_network_policy(self):
        np = one(self.objects, "NetworkPolicy")["spec"]
        self.assertEqual(sorted(np["policyTypes"]), ["Egress", "Ingress"])
        api = [r for r in np["ingress"] if {"port": "grpc", "protocol": "TCP"} in r["ports"]]
        self.assertEqual(len(api), 1)
        self.assertEqual(api[0]["from"],
                         [{"podSelector": {"matchLabels": {"channel-verifier-client": "true"}}}])
        dns = [r for r in np["egress"] if {"port": 53, "protocol": "UDP"} in r.get("ports", [])]
        self.assertEqual(len(dns), 1)
        self.assertIn({"port": 53, "protocol": "TCP"}, dns[0]["ports"])
        self.assertEqual(dns[0]["to"][0]["podSelector"]["matchLabels"], {"k8s-app": "kube-dns"})
        (out,) = [r for r in np["egress"] if any("ipBlock" in t for t in r["to"])]
        self.assertEqual(sorted(p["port"] for p in out["ports"]), [25, 443, 465, 587, 2525])
        self.assertTrue(all(p["protocol"] == "TCP" for p in out["ports"]))
        blocks = {t["ipBlock"]["cidr"]: t["ipBlock"]["except"] for t in out["to"]}
        for private in PRIVATE_V4:
            self.assertIn(private, blocks["0.0.0.0/0"])
        self.assertIn("fc00::/7", blocks["::/0"])
        # DNS, the internet, the bundled Redis (BundledRedisTest).
        self.assertEqual(len(np["egress"]), 3)

    def test_configmap_change_rolls_the_pods(self):
        base = one(self.objects, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        changed = render("--set", "config.logLevel=debug")
        new = one(changed, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        self.assertNotEqual(base["checksum/config"], new["checksum/config"])

    def test_notes_has_a_buf_curl_example(self):
        out = helm("install", "rel", CHART, "--dry-run=client", "--namespace", "mail").stdout
        self.assertIn("buf curl --protocol grpc --http2-prior-knowledge", out)
        self.assertIn("/channelverify.v1.ChannelVerifierService/VerifyChannel", out)

    def test_the_server_accepts_the_rendered_flagfile(self):
        check_flagfile(self, one(self.objects, "ConfigMap")["data"]["flags"])

    def test_no_plaintext_auth_and_no_core_dumps_by_default(self):
        flags = flags_of(self.objects)
        self.assertNotIn("--allow_plaintext_auth_cidrs", flags)
        self.assertNotIn("--allow_core_dumps", flags)
        self.assertEqual(flags["--max_addresses_per_name"], "8")


class AllFeaturesRenderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = render("-f", ALL_FEATURES)

    def test_kinds(self):
        # An existing Redis: no bundled one, and every Secret is referenced, none created.
        kinds = sorted(k for k, _ in self.objects)
        self.assertEqual(kinds, ["ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                                 "NetworkPolicy", "PodDisruptionBudget", "Service",
                                 "ServiceAccount", "ServiceMonitor"])

    def test_callers_and_quotas(self):
        flags = flags_of(self.objects)
        self.assertEqual(flags["--caller_identity_header"], "x-caller-id")
        self.assertEqual(flags["--max_in_flight_per_caller"], "2000")
        self.assertEqual(flags["--send_quota_per_recipient_per_hour"], "5")
        self.assertEqual(flags["--send_quota_per_channel_per_hour"], "15")
        self.assertEqual(flags["--send_quota_per_caller_per_hour"], "500")

    def test_tls_and_mtls_flags_point_at_mounted_secrets(self):
        flags = flags_of(self.objects)
        pod, c = container_of(self.objects)
        mounts = {m["name"]: m for m in c["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        for flag, volume, secret, key in [
            ("--tls_cert_file", "tls", "channel-verifier-tls", "tls.crt"),
            ("--tls_key_file", "tls", "channel-verifier-tls", "tls.key"),
            ("--client_ca_file", "client-ca", "channel-verifier-tls", "ca.crt"),
            ("--google_client_secret_file", "oauth-google", "channel-verifier-oauth",
             "google-client-secret"),
            ("--microsoft_client_secret_file", "oauth-microsoft", "channel-verifier-oauth",
             "microsoft-client-secret"),
        ]:
            path = flags[flag]
            mount = mounts[volume]
            self.assertEqual(path, f"{mount['mountPath']}/{key}", flag)
            self.assertIs(mount["readOnly"], True)
            self.assertNotIn("subPath", mount)  # else a rotated Secret never reaches the pod
            self.assertEqual(volumes[volume]["secret"]["secretName"], secret)
            self.assertIn(key, [i["path"] for i in volumes[volume]["secret"]["items"]])
        self.assertEqual(flags["--tls_reload_interval_s"], "30")
        self.assertEqual(flags["--google_client_id"], "1234567890-abc.apps.googleusercontent.com")
        self.assertEqual(flags["--greeting_timeout_ms"], "8000")

    def test_plaintext_auth_ranges_and_fan_out(self):
        flags = flags_of(self.objects)
        self.assertEqual(flags["--allow_plaintext_auth_cidrs"], "10.20.0.0/16")
        self.assertEqual(flags["--max_addresses_per_name"], "4")

    def test_no_secret_values_in_the_rendered_objects(self):
        self.assertNotIn("Secret", [k for k, _ in self.objects])

    def test_probes_stay_plaintext_health_with_tls(self):
        _, c = container_of(self.objects)
        self.assertEqual(c["livenessProbe"]["grpc"]["port"], 8081)
        self.assertEqual(c["readinessProbe"]["grpc"]["port"], 8081)

    def test_image_digest_and_pull_secrets(self):
        pod, c = container_of(self.objects)
        self.assertEqual(c["image"], "registry.example.com/platform/channel-verifier@sha256:"
                         "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        self.assertEqual(pod["imagePullSecrets"], [{"name": "registry-credentials"}])

    def test_lifecycle_is_wired(self):
        pod, _ = container_of(self.objects)
        flags = flags_of(self.objects)
        self.assertEqual(pod["terminationGracePeriodSeconds"], 60)
        self.assertEqual(flags["--shutdown_delay_ms"], "10000")
        self.assertEqual(flags["--shutdown_grace_ms"], "45000")

    def test_network_policy_callers_and_extra_egress(self):
        np = one(self.objects, "NetworkPolicy")["spec"]
        api = [r for r in np["ingress"] if {"port": "grpc", "protocol": "TCP"} in r["ports"]]
        self.assertEqual(api[0]["from"], [{
            "podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "hr-platform"}},
            "namespaceSelector": {"matchLabels": {"example.com/mail-callers": "true"}},
        }])
        # DNS, the internet, the external Redis, then extraEgress.
        self.assertEqual(len(np["egress"]), 4)
        self.assertEqual(np["egress"][3]["to"][0]["ipBlock"]["cidr"], "10.20.30.40/32")

    def test_external_redis_over_tls(self):
        flags = flags_of(self.objects)
        self.assertEqual(flags["--state_store"], "rediss://redis.data.example.internal:6380/2")
        self.assertEqual(flags["--state_store_key_prefix"], "cv:prod:")
        self.assertEqual(flags["--state_store_timeout_ms"], "250")
        for flag, secret, key in [
            ("--state_key_file", "channel-verifier-state", "hmac-key"),
            ("--state_store_password_file", "channel-verifier-state", "redis-password"),
            ("--state_store_ca_file", "redis-ca", "ca.crt"),
        ]:
            self.assertEqual(secret_file(self, self.objects, flag), (secret, key), flag)
        # The password reaches the server as a file, never in the URL or the ConfigMap.
        self.assertNotIn("@", flags["--state_store"])
        self.assertNotIn(("Deployment", REDIS), self.objects)

    def test_network_policy_reaches_the_external_redis(self):
        np = one(self.objects, "NetworkPolicy")["spec"]
        (rule,) = [r for r in np["egress"]
                   if {"port": 6380, "protocol": "TCP"} in r.get("ports", [])]
        self.assertEqual(rule["to"], [{"ipBlock": {"cidr": "10.40.0.0/24"}}])
        self.assertEqual(rule["ports"], [{"port": 6380, "protocol": "TCP"}])

    def test_service_monitor(self):
        sm = one(self.objects, "ServiceMonitor")
        self.assertEqual(sm["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(sm["metadata"]["labels"]["release"], "kube-prometheus-stack")
        (endpoint,) = sm["spec"]["endpoints"]
        self.assertEqual(endpoint["port"], "metrics")
        self.assertEqual(endpoint["path"], "/metrics")
        service = one(self.objects, "Service")
        self.assertIn("metrics", [p["name"] for p in service["spec"]["ports"]])
        self.assertEqual(sm["spec"]["selector"]["matchLabels"], service["spec"]["selector"])

    def test_pdb_percentage(self):
        self.assertEqual(one(self.objects, "PodDisruptionBudget")["spec"]["maxUnavailable"],
                         "25%")

    def test_notes_show_mtls_buf_curl(self):
        out = helm("install", "rel", CHART, "--dry-run=client", "--namespace", "mail",
                   "-f", ALL_FEATURES).stdout
        self.assertIn("--cert client.crt --key client.key", out)
        self.assertIn("https://127.0.0.1:50051/", out)

    def test_the_server_accepts_the_rendered_flagfile(self):
        check_flagfile(self, one(self.objects, "ConfigMap")["data"]["flags"])


class BundledRedisTest(unittest.TestCase):
    """The default: stateStore.mode bundled, a Redis of the chart shared by the replicas."""

    @classmethod
    def setUpClass(cls):
        cls.objects = render()

    def redis_pod(self):
        return container_of(self.objects, REDIS)

    def test_verifier_flags_point_at_the_bundled_redis(self):
        flags = flags_of(self.objects)
        self.assertEqual(flags["--state_store"], f"redis://{REDIS}:6379")
        self.assertEqual(flags["--state_store_key_prefix"], "cv:")
        self.assertEqual(flags["--state_store_timeout_ms"], "500")
        self.assertNotIn("--state_store_ca_file", flags)
        self.assertEqual(secret_file(self, self.objects, "--state_key_file"),
                         (FULLNAME + "-state-key", "state-key"))
        self.assertEqual(secret_file(self, self.objects, "--state_store_password_file"),
                         (REDIS + "-password", "password"))

    def test_generated_secrets(self):
        key = one(self.objects, "Secret", FULLNAME + "-state-key")
        password = one(self.objects, "Secret", REDIS + "-password")
        for secret, item, minimum in [(key, "state-key", 48), (password, "password", 32)]:
            value = base64.b64decode(secret["data"][item]).decode()
            self.assertGreaterEqual(len(value), minimum)
            self.assertRegex(value, r"^[A-Za-z0-9]+$")
        # Kept across upgrades: the value in the cluster wins over a new random one.
        # helm template has no cluster to look up, so only the template can show it.
        with open(os.path.join(CHART, "templates", "state-secrets.yaml")) as f:
            self.assertEqual(f.read().count('include "cv.stableRandom"'), 2)
        with open(os.path.join(CHART, "templates", "_helpers.tpl")) as f:
            self.assertIn('lookup "v1" "Secret" .ctx.Release.Namespace .name', f.read())

    def test_redis_password_is_the_verifiers(self):
        _, c = self.redis_pod()
        env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"]}
        for name in ("REDIS_PASSWORD", "REDISCLI_AUTH"):
            self.assertEqual(env[name], {"name": REDIS + "-password", "key": "password"})
        args = c["args"]
        self.assertEqual(args[args.index("--requirepass") + 1], "$(REDIS_PASSWORD)")

    def test_redis_is_pinned_and_keeps_nothing(self):
        pod, c = self.redis_pod()
        self.assertRegex(c["image"], r"^redis:7\.[0-9]+\.[0-9]+$")  # pinned, uid/gid 999
        self.assertEqual(c["command"], ["redis-server"])
        args = c["args"]
        self.assertEqual(args[args.index("--save") + 1], "")
        self.assertEqual(args[args.index("--appendonly") + 1], "no")
        self.assertEqual(args[args.index("--maxmemory-policy") + 1], "noeviction")
        self.assertEqual(c["ports"], [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}])
        deployment = one(self.objects, "Deployment", REDIS)
        self.assertEqual(deployment["spec"]["replicas"], 1)
        self.assertEqual(deployment["spec"]["strategy"], {"type": "Recreate"})

    def test_redis_security_context(self):
        pod, c = self.redis_pod()
        psc = pod["securityContext"]
        self.assertEqual((psc["runAsUser"], psc["runAsGroup"]), (999, 999))
        self.assertIs(psc["runAsNonRoot"], True)
        self.assertEqual(psc["seccompProfile"], {"type": "RuntimeDefault"})
        sc = c["securityContext"]
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertIs(sc["readOnlyRootFilesystem"], True)
        self.assertIs(sc["runAsNonRoot"], True)
        self.assertEqual(sc["capabilities"], {"drop": ["ALL"]})
        self.assertEqual(sc["seccompProfile"], {"type": "RuntimeDefault"})
        self.assertIs(pod["automountServiceAccountToken"], False)
        self.assertIs(pod["enableServiceLinks"], False)
        # The only writable place: an emptyDir at /data (the image's working directory).
        self.assertEqual(c["volumeMounts"], [{"name": "data", "mountPath": "/data"}])
        (volume,) = pod["volumes"]
        self.assertEqual(volume["name"], "data")
        self.assertIn("emptyDir", volume)

    def test_redis_probes_and_resources(self):
        _, c = self.redis_pod()
        for probe in ("readinessProbe", "livenessProbe"):
            command = " ".join(c[probe]["exec"]["command"])
            self.assertIn("redis-cli", command)
            self.assertIn("ping", command)
            self.assertIn("PONG", command)
            self.assertNotIn("-a ", command)  # the password comes from REDISCLI_AUTH
        self.assertIn("memory", c["resources"]["requests"])
        self.assertIn("memory", c["resources"]["limits"])

    def test_selectors_stay_apart(self):
        verifier_pod = one(self.objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
        redis_pod = one(self.objects, "Deployment", REDIS)["spec"]["template"]["metadata"]
        redis_labels = redis_pod["labels"]
        redis_service = one(self.objects, "Service", REDIS)["spec"]
        self.assertTrue(selects(redis_service["selector"], redis_labels))
        self.assertFalse(selects(redis_service["selector"], verifier_pod))
        self.assertEqual(redis_service["ports"][0]["port"], 6379)
        self.assertEqual(redis_service["ports"][0]["targetPort"], "redis")
        # Nothing of the verifier's (Service, budget, policy) may pick the Redis pod.
        for kind, path in [("Service", ["spec", "selector"]),
                           ("PodDisruptionBudget", ["spec", "selector", "matchLabels"]),
                           ("NetworkPolicy", ["spec", "podSelector", "matchLabels"])]:
            selector = one(self.objects, kind)
            for step in path:
                selector = selector[step]
            self.assertFalse(selects(selector, redis_labels), kind)

    def test_redis_network_policy(self):
        redis_labels = one(self.objects, "Deployment", REDIS)["spec"]["template"]["metadata"][
            "labels"]
        verifier_labels = one(self.objects, "Deployment")["spec"]["template"]["metadata"][
            "labels"]
        np = one(self.objects, "NetworkPolicy", REDIS)["spec"]
        self.assertTrue(selects(np["podSelector"]["matchLabels"], redis_labels))
        self.assertEqual(sorted(np["policyTypes"]), ["Egress", "Ingress"])
        self.assertEqual(np["egress"], [])
        (rule,) = np["ingress"]
        (peer,) = rule["from"]
        self.assertEqual(list(peer), ["podSelector"])  # this namespace only
        self.assertTrue(selects(peer["podSelector"]["matchLabels"], verifier_labels))
        self.assertFalse(selects(peer["podSelector"]["matchLabels"], redis_labels))
        self.assertEqual(rule["ports"], [{"port": "redis", "protocol": "TCP"}])

    def test_verifier_may_reach_the_redis(self):
        redis_labels = one(self.objects, "Deployment", REDIS)["spec"]["template"]["metadata"][
            "labels"]
        np = one(self.objects, "NetworkPolicy")["spec"]
        (rule,) = [r for r in np["egress"] if "podSelector" in r["to"][0]
                   and selects(r["to"][0]["podSelector"]["matchLabels"], redis_labels)]
        self.assertEqual(rule["ports"], [{"port": 6379, "protocol": "TCP"}])
        self.assertNotIn("namespaceSelector", rule["to"][0])

    def test_no_network_policies_when_disabled(self):
        objects = render("--set", "networkPolicy.enabled=false")
        self.assertNotIn("NetworkPolicy", [k for k, _ in objects])

    def test_existing_secrets_are_used(self):
        objects = render("--set", "stateStore.key.existingSecret=cv-state",
                         "--set", "stateStore.key.secretKey=hmac",
                         "--set", "stateStore.bundled.password.existingSecret=cv-redis",
                         "--set", "stateStore.bundled.password.secretKey=pw")
        self.assertNotIn("Secret", [k for k, _ in objects])
        self.assertEqual(secret_file(self, objects, "--state_key_file"), ("cv-state", "hmac"))
        self.assertEqual(secret_file(self, objects, "--state_store_password_file"),
                         ("cv-redis", "pw"))
        _, c = container_of(objects, REDIS)
        env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"]}
        self.assertEqual(env["REDIS_PASSWORD"], {"name": "cv-redis", "key": "pw"})

    def test_scheduling_and_digest(self):
        digest = "sha256:" + "ab" * 32
        objects = render("--set", f"stateStore.bundled.image.digest={digest}",
                         "--set", "stateStore.bundled.priorityClassName=infra",
                         "--set", "stateStore.bundled.nodeSelector.pool=infra",
                         "--set", "stateStore.bundled.tolerations[0].key=infra",
                         "--set", "stateStore.bundled.tolerations[0].operator=Exists",
                         "--set", "stateStore.bundled.podAnnotations.team=mail",
                         "--set", "stateStore.bundled.maxMemory=200mb",
                         "--set", "stateStore.bundled.resources.limits.memory=256Mi")
        deployment = one(objects, "Deployment", REDIS)["spec"]["template"]
        pod, c = container_of(objects, REDIS)
        self.assertEqual(c["image"], f"redis@{digest}")
        self.assertEqual(pod["priorityClassName"], "infra")
        self.assertEqual(pod["nodeSelector"], {"pool": "infra"})
        self.assertEqual(pod["tolerations"], [{"key": "infra", "operator": "Exists"}])
        self.assertEqual(deployment["metadata"]["annotations"], {"team": "mail"})
        self.assertEqual(c["args"][c["args"].index("--maxmemory") + 1], "200mb")
        self.assertEqual(c["resources"]["limits"]["memory"], "256Mi")

    def test_notes_name_the_store(self):
        out = helm("install", "rel", CHART, "--dry-run=client", "--namespace", "mail").stdout
        self.assertIn(f"State store: the bundled Redis {REDIS}", out)


class ExternalRedisTest(unittest.TestCase):
    """stateStore.mode redis without TLS or password: only what is asked for."""

    @classmethod
    def setUpClass(cls):
        cls.objects = render("--set", "stateStore.mode=redis",
                             "--set", "stateStore.redis.address=redis.cache.svc:6379/3")

    def test_flags(self):
        flags = flags_of(self.objects)
        self.assertEqual(flags["--state_store"], "redis://redis.cache.svc:6379/3")
        for name in ("--state_store_password_file", "--state_store_ca_file"):
            self.assertNotIn(name, flags)
        # The key is still needed (a Redis store) and made by the chart.
        self.assertEqual(secret_file(self, self.objects, "--state_key_file"),
                         (FULLNAME + "-state-key", "state-key"))

    def test_no_bundled_redis(self):
        self.assertEqual(sorted(n for k, n in self.objects if k == "Secret"),
                         [FULLNAME + "-state-key"])
        self.assertFalse([n for _, n in self.objects if n.startswith(REDIS)])

    def test_no_egress_without_cidrs_and_notes_warn(self):
        np = one(self.objects, "NetworkPolicy")["spec"]
        self.assertEqual(len(np["egress"]), 2)
        out = helm("install", "rel", CHART, "--dry-run=client", "--namespace", "mail",
                   "--set", "stateStore.mode=redis",
                   "--set", "stateStore.redis.address=redis.cache.svc:6379/3").stdout
        self.assertIn("stateStore.redis.egressCidrs", out)

    def test_tls_without_ca_uses_the_system_trust_store(self):
        objects = render("--set", "stateStore.mode=redis",
                         "--set", "stateStore.redis.address=[fd00::7]:6390",
                         "--set", "stateStore.redis.tls.enabled=true",
                         "--set", "stateStore.redis.egressCidrs[0]=fd00::/64")
        flags = flags_of(objects)
        self.assertEqual(flags["--state_store"], "rediss://[fd00::7]:6390")
        self.assertNotIn("--state_store_ca_file", flags)
        np = one(objects, "NetworkPolicy")["spec"]
        self.assertEqual(np["egress"][2]["ports"], [{"port": 6390, "protocol": "TCP"}])
        self.assertEqual(np["egress"][2]["to"], [{"ipBlock": {"cidr": "fd00::/64"}}])

    def test_the_server_accepts_the_rendered_flagfile(self):
        check_flagfile(self, one(self.objects, "ConfigMap")["data"]["flags"])


class MemoryStoreTest(unittest.TestCase):
    """stateStore.mode memory: one replica only, nothing of Redis."""

    ONE = ["--set", "stateStore.mode=memory", "--set", "replicaCount=1",
           "--set", "autoscaling.enabled=false"]

    def test_more_than_one_replica_fails(self):
        for args in (["--set", "autoscaling.enabled=false"],  # replicaCount 2
                     ["--set", "replicaCount=1"],  # the autoscaler
                     []):
            with self.subTest(args=args):
                result = helm("template", "rel", CHART, "--set", "stateStore.mode=memory",
                              *args, check=False)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("stateStore.mode=memory", result.stderr)
                self.assertIn("stateStore.mode=bundled", result.stderr)
                self.assertIn("replicaCount: 1, autoscaling.enabled: false", result.stderr)

    def test_one_replica_renders_no_redis(self):
        objects = render(*self.ONE)
        self.assertEqual(sorted(k for k, _ in objects),
                         ["ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget",
                          "Service", "ServiceAccount"])
        self.assertEqual(one(objects, "Deployment")["spec"]["replicas"], 1)
        flags = flags_of(objects)
        self.assertEqual(flags["--state_store"], "memory")
        self.assertFalse([f for f in flags if f.startswith("--state_") and f != "--state_store"])
        _, c = container_of(objects)
        self.assertEqual([m["name"] for m in c["volumeMounts"]], ["config"])
        self.assertEqual(len(one(objects, "NetworkPolicy")["spec"]["egress"]), 2)

    def test_the_server_accepts_the_rendered_flagfile(self):
        check_flagfile(self, one(render(*self.ONE), "ConfigMap")["data"]["flags"])

    def test_a_named_key_is_still_used(self):
        objects = render(*self.ONE, "--set", "stateStore.key.existingSecret=cv-state")
        self.assertEqual(secret_file(self, objects, "--state_key_file"),
                         ("cv-state", "state-key"))
        self.assertNotIn("Secret", [k for k, _ in objects])


class BadValuesTest(unittest.TestCase):
    """Each of these must fail helm template (and so helm install), with a message."""

    CASES = [
        (["--set", "replicaCount=0"], "replicaCount"),
        (["--set", "config.logLevel=verbose"], "logLevel"),
        (["--set", "tls.enable=true"], "enable"),  # a typo is not silently ignored
        (["--set", "tls.enabled=true"], "tls.secretName"),
        (["--set", "tls.clientCA.enabled=true"], "needs tls.enabled"),
        (["--set", "ports.health=70000"], "health"),
        (["--set", "image.pullPolicy=Sometimes"], "pullPolicy"),
        (["--set", "securityContext.readOnlyRootFilesystem=false"], "readOnlyRootFilesystem"),
        (["--set", "securityContext.allowPrivilegeEscalation=true"], "allowPrivilegeEscalation"),
        (["--set", "podSecurityContext.runAsNonRoot=false"], "runAsNonRoot"),
        (["--set", "lifecycle.shutdownGraceMs=40000"], "terminationGracePeriodSeconds"),
        (["--set", "oauth.google.clientId=x"], "existingSecret"),
        (["--set", "config.extraFlags[0]=oops"], "extraFlags"),
        (["--set", "autoscaling.minReplicas=5", "--set", "autoscaling.maxReplicas=2"],
         "minReplicas"),
        (["--set", "networkPolicy.exceptCidrs[0]=10.0.0.0"], "exceptCidrs"),
        (["--set", "stateStore.mode=sqlite"], "mode"),
        (["--set", "stateStore.adress=r:6379"], "adress"),
        (["--set", "stateStore.redis.tls.enable=true"], "enable"),
        (["--set", "stateStore.bundled.securityContext.runAsUser=0"], "securityContext"),
        (["--set", "stateStore.timeoutMs=0"], "timeoutMs"),
        (["--set", "stateStore.timeoutMs=fast"], "timeoutMs"),
        (["--set", "stateStore.bundled.image.tag="], "tag"),
        (["--set", "stateStore.mode=redis"], "stateStore.redis.address"),
        # The URL the server gets must never carry a password.
        (["--set", "stateStore.mode=redis", "--set", "stateStore.redis.address=:pw@r:6379"],
         "address"),
        (["--set", "stateStore.mode=redis", "--set", "stateStore.redis.address=r"], "address"),
        (["--set", "stateStore.mode=redis", "--set", "stateStore.redis.address=r:6379",
          "--set", "stateStore.redis.tls.caSecret=ca"], "stateStore.redis.tls.enabled"),
        (["--set", "stateStore.redis.egressCidrs[0]=10.0.0.1"], "egressCidrs"),
        (["--set", "stateStore.mode=memory"], "replicaCount: 1"),
    ]

    def test_bad_values_fail(self):
        for args, expected in self.CASES:
            with self.subTest(args=args):
                result = helm("template", "rel", CHART, *args, check=False)
                self.assertNotEqual(result.returncode, 0, result.stdout[:500])
                self.assertIn(expected, result.stderr)


def check_flagfile(test, flags):
    """The server parses the flagfile (unknown flags are fatal) and exits at --version."""
    binary = BINARY or os.environ.get("CV_BINARY")
    if not binary:
        test.skipTest("no channel-verifier binary given (--binary)")
    with tempfile.NamedTemporaryFile("w", suffix=".flags") as f:
        f.write(flags)
        f.flush()
        result = subprocess.run([binary, f"--flagfile={f.name}", "--version"],
                                capture_output=True, text=True, timeout=30)
    test.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--helm", required=True)
    parser.add_argument("--binary")
    args, rest = parser.parse_known_args()
    HELM = args.helm
    BINARY = args.binary
    if not os.access(HELM, os.X_OK):
        print(f"helm not found at {HELM}: run scripts/setup.sh", file=sys.stderr)
        sys.exit(1)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
