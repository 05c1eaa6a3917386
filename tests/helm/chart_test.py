#!/usr/bin/env python3
"""Tests of the Helm chart helm/channel-verifier with the real helm binary.

helm lint --strict and helm template with the default values and with every feature on
(ci/all-features-values.yaml); the rendered objects are checked for what the deployment relies
on: probes on the plaintext health port, the locked-down security context, the flagfile, Secret
mounts, the network policy's fences. Bad values must fail at install time. When a built
channel-verifier is given (--binary), the rendered flagfile is also parsed by it, so that the
chart can only pass flags the server knows.

Usage: chart_test.py --helm PATH [--binary PATH] [unittest args]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHART = os.path.join(ROOT, "helm", "channel-verifier")
ALL_FEATURES = os.path.join(CHART, "ci", "all-features-values.yaml")
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


def one(objects, kind):
    found = [o for (k, _), o in objects.items() if k == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def flags_of(objects):
    lines = one(objects, "ConfigMap")["data"]["flags"].splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def container_of(objects):
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return pod, container


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
        kinds = sorted(k for k, _ in self.objects)
        self.assertEqual(kinds, ["ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                                 "NetworkPolicy", "PodDisruptionBudget", "Service",
                                 "ServiceAccount"])

    def test_probes_use_the_plaintext_health_port(self):
        _, c = container_of(self.objects)
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        self.assertEqual(ports, {"grpc": 50051, "health": 8081, "metrics": 9090})
        self.assertEqual(c["livenessProbe"]["grpc"], {"port": 8081})
        self.assertEqual(c["readinessProbe"]["grpc"],
                         {"port": 8081, "service": "channelverify.v1.ChannelVerifierService"})
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
        self.assertEqual(mounts, {"config": "/etc/channel-verifier/config"})
        self.assertEqual(c["image"], "channel-verifier:0.1.0")

    def test_shutdown_fits_the_grace_period(self):
        pod, _ = container_of(self.objects)
        flags = flags_of(self.objects)
        budget_ms = int(flags["--shutdown_delay_ms"]) + int(flags["--shutdown_grace_ms"])
        self.assertGreater(pod["terminationGracePeriodSeconds"] * 1000, budget_ms)
        self.assertGreater(int(flags["--shutdown_delay_ms"]), 0)

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
        self.assertEqual(len(np["egress"]), 2)

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


class AllFeaturesRenderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = render("-f", ALL_FEATURES)

    def test_kinds(self):
        kinds = sorted(k for k, _ in self.objects)
        self.assertEqual(kinds, ["ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                                 "NetworkPolicy", "PodDisruptionBudget", "Service",
                                 "ServiceAccount", "ServiceMonitor"])

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
        self.assertEqual(len(np["egress"]), 3)
        self.assertEqual(np["egress"][2]["to"][0]["ipBlock"]["cidr"], "10.20.30.40/32")

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
