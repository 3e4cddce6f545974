using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

// The host-side (WebJobs) extension the official worker extension declares. The SDK's metadata task reads this from the
// assembly that defines a binding attribute and writes it as a PackageReference into the generated WorkerExtensions.csproj,
// exactly as it does for the official package. Keep in step with the official package's version in Directory.Packages.props
// (the deploy build uses the official assembly, so its own value wins there).
[assembly: ExtensionInformation("Microsoft.Azure.WebJobs.Extensions.EventHubs", "6.3.5")]
