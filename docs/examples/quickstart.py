"""Quick start: train hybrid PPO on a tiny env with a known optimum, then save and reload it."""

import torch

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy

torch.set_num_threads(1)  # small RL tensors: one CPU thread is the fastest
env = ht.make("TargetRegime-v0", num_envs=16)  # 16 scenarios stepped as one batch
# each step of this env is an independent contextual bandit, hence the short discount
model = ht.PPO(env, seed=0, verbose=0, gamma=0.5, learning_rate=1e-3)
model.learn(40_000)

obs = env.reset(seed=1)
action, _ = model.predict(obs)  # a HybridAction: .discrete [16, 1], .continuous [16, 3]

model.save("ppo_target.zip")
model = ht.load("ppo_target.zip")  # dispatches on the saved algorithm name

result = evaluate_policy(lambda o: model.act(o, deterministic=True), env, n_eval_episodes=32)
print(f"mean return {result.mean_reward:.3f} (optimum {env.optimal_return:.3f})")
