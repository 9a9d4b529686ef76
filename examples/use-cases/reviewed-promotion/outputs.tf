output "candidate_content_sha256" {
  description = "The candidate's canonical content hash: what a reviewer approves."
  value       = xano_workspace_snapshot.candidate.content_sha256
}
