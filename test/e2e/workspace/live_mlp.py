# A small PyTorch MLP trained on random data for 40 steps: what the e2e suite runs with live taps.
# fc2's biases start at -50, so relu2 never fires (dead by construction) while relu1 lives; the
# suite expects the dead-unit lens on the `self.relu2 = nn.ReLU()` line and applies the ELU fix there.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(64, 32)
        self.relu2 = nn.ReLU()
        self.out = nn.Linear(32, 4)
        with torch.no_grad():
            self.fc2.bias.fill_(-50.0)

    def forward(self, x):
        x = self.relu1(self.fc1(x))
        x = self.relu2(self.fc2(x))
        return self.out(x)


torch.manual_seed(0)
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(512, 20)
y = torch.randint(0, 4, (512,))
for step in range(40):
    i = (step * 64) % 512
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x[i : i + 64]), y[i : i + 64])
    loss.backward()
    optimizer.step()
print(f"trained 40 steps, final loss {loss.item():.4f}", flush=True)
