"""Kubernetes manifests of the platform built from Python data, and the tool that applies them.

`values` reads an environment's values file; one module per kind of object builds those objects
(`workloads`, `jobs`, `settings`, `network`, `scaling`, `alerts`); `render` puts them in the order
they are applied; `cluster` applies them with the official `kubernetes` client and `status`
reports what runs. Rendering needs no cluster and no `kubernetes` package.
"""
