// ReceiveBudget: reservations are granted up to the limit, grow and shrink, go back when they
// are destroyed or moved from, and a refused one changes nothing.

#include <gtest/gtest.h>

#include "common/receive_budget.hpp"

namespace warren {
namespace {

TEST(ReceiveBudget, GrantsUpToTheLimitAndGivesBackOnDestruction) {
    ReceiveBudget budget(100);
    {
        auto a = budget.try_reserve(60);
        ASSERT_TRUE(a);
        EXPECT_EQ(budget.in_use(), 60u);
        EXPECT_FALSE(budget.try_reserve(41)); // would pass the limit
        EXPECT_EQ(budget.in_use(), 60u);      // and the refusal took nothing
        auto b = budget.try_reserve(40);
        ASSERT_TRUE(b);
        EXPECT_EQ(budget.in_use(), 100u);
    }
    EXPECT_EQ(budget.in_use(), 0u);
    EXPECT_FALSE(budget.try_reserve(101));
}

TEST(ReceiveBudget, AReservationGrowsAndShrinks) {
    ReceiveBudget budget(100);
    ReceiveBudget::Reservation r;
    EXPECT_TRUE(r.resize(budget, 30));
    EXPECT_TRUE(r.resize(budget, 90));
    EXPECT_EQ(budget.in_use(), 90u);
    EXPECT_FALSE(r.resize(budget, 101));
    EXPECT_EQ(r.bytes(), 90u);
    EXPECT_TRUE(r.resize(budget, 10));
    EXPECT_EQ(budget.in_use(), 10u);
    r.release();
    EXPECT_EQ(budget.in_use(), 0u);
    EXPECT_EQ(r.bytes(), 0u);
}

TEST(ReceiveBudget, AMovedReservationIsGivenBackOnce) {
    ReceiveBudget budget(100);
    auto a = budget.try_reserve(50);
    ASSERT_TRUE(a);
    ReceiveBudget::Reservation b = std::move(*a);
    a.reset();
    EXPECT_EQ(budget.in_use(), 50u);
    ReceiveBudget::Reservation c;
    c = std::move(b);
    EXPECT_EQ(budget.in_use(), 50u);
    c.release();
    EXPECT_EQ(budget.in_use(), 0u);
}

} // namespace
} // namespace warren
