"""HyAR on a tiny env with a known optimum: warm-up, VAE pre-training and TD3 in one `learn`."""

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy

env = ht.make("TargetRegime-v0", num_envs=8)
# "target": small networks and short phases for the tiny Target envs (see the presets table)
model = ht.HyAR(env, "target", seed=0, verbose=0)
model.learn(5_000)  # 2048 random warm-up steps, 500 VAE steps, then TD3 in the latent space
print(f"phase {model.progress.phase}, {model.progress.td3_updates} TD3 updates")

model.save("hyar_target.zip")
model = ht.load("hyar_target.zip")  # the latent bounds and phase counters travel with it

result = evaluate_policy(lambda o: model.act(o, deterministic=True), env, n_eval_episodes=32)
print(f"mean return {result.mean_reward:.3f} (optimum {env.optimal_return:.3f})")
