"""Wrong: evaluate runs without torch.no_grad(), so autograd records a graph it never uses."""


def train_one_epoch(model, loader, optimizer, loss_fn, device="cpu"):
    model.train()
    weighted_losses, sizes = [], []
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        weighted_losses.append(loss.item() * targets.size(0))
        sizes.append(targets.size(0))
    return sum(weighted_losses) / sum(sizes)


def evaluate(model, loader, loss_fn, device="cpu"):
    modules = list(model.modules())
    was_training = [module.training for module in modules]
    model.eval()
    total_loss, n_correct, n_seen = 0.0, 0, 0
    try:
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            batch_size = targets.size(0)
            total_loss += batch_size * loss_fn(outputs, targets).item()
            if outputs.shape[-1] == 1:
                predictions = (outputs.reshape(-1) > 0.5).long()
            else:
                predictions = outputs.argmax(dim=-1)
            n_correct += (predictions == targets.reshape(-1).long()).sum().item()
            n_seen += batch_size
    finally:
        for module, flag in zip(modules, was_training):
            module.train(flag)
    return total_loss / n_seen, n_correct / n_seen


def fit(model, train_loader, val_loader, optimizer, loss_fn, epochs, device="cpu"):
    model.to(device)
    train_losses, val_losses, val_accuracies = [], [], []
    for _ in range(epochs):
        train_losses.append(train_one_epoch(model, train_loader, optimizer, loss_fn, device=device))
        val_loss, val_accuracy = evaluate(model, val_loader, loss_fn, device=device)
        val_losses.append(val_loss)
        val_accuracies.append(val_accuracy)
    return {"train_loss": train_losses, "val_loss": val_losses, "val_accuracy": val_accuracies}
