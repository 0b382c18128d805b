import BenchSupport

/// How to make the messages of one kind of a mix, and how many of every
/// 140 are of that kind.
struct MixRecipe {
    let kind: String
    /// Messages of this kind in every 140 of the mix.
    let share: Int
    /// Makes the kind's `n`-th message (`n` counts across the whole mix,
    /// so every message differs).
    let make: (Int) throws -> MixMessage

    /// The kinds in mix order: 140 slots visited in a fixed interleaving
    /// (slot `i*53 mod 140`, 53 being prime to 140), each slot belonging
    /// to the recipe whose share covers it, so kinds alternate through
    /// the mix and any 140 consecutive messages hold every share exactly.
    static func schedule(_ recipes: [MixRecipe], count: Int) -> [MixRecipe] {
        let total = recipes.reduce(0) { $0 + $1.share }
        precondition(total > 0, "a mix needs a recipe with a share")
        var slots: [MixRecipe] = []
        for recipe in recipes { slots += Array(repeating: recipe, count: recipe.share) }
        let stride = total == 140 ? 53 : 1
        return (0..<count).map { slots[($0 * stride) % total] }
    }
}
